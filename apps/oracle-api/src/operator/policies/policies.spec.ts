import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyStatusSchema } from '@metaloop/policies';
import { eventually } from '@metaloop/testing';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

describe('GET /api/v1/oracle/policies', () => {
  let h: OracleHarness;
  let dir: string;
  let path: string;
  const get = async () => {
    const response = await h.apps[0]!.inject({ method: 'GET', url: '/api/v1/oracle/policies' });
    expect(response.statusCode).toBe(200);
    return policyStatusSchema.parse(response.json());
  };
  const replace = (text: string) => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oracle-policies-'));
    path = join(dir, 'policies.yaml');
    writeFileSync(path, 'risk:\n  max: 7\n');
    h = await oracleHarness('oracle_policies', {
      POLICIES_PATH: path,
      POLICIES_POLL_INTERVAL_MS: '200',
      ORACLE_CONFIDENCE_THRESHOLD: '0.8',
    });
  });

  afterAll(async () => {
    await h?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the effective policy: the file, the overrides, its version and source', async () => {
    const status = await get();
    expect(status).toMatchObject({
      source_path: path,
      overrides: { ORACLE_CONFIDENCE_THRESHOLD: 0.8 },
      last_rejected: null,
      policy: { risk: { max: 7 }, confidence: { min: 0.8 }, budgets: { mutations_per_hour: { global: 10 } } },
    });
    expect(status.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows a refused reload beside the policy still in force, then the next valid one', async () => {
    const before = await get();
    replace('risk:\n  max: 7\ncanary:\n  steps: [5, 25]\n');
    const refused = await eventually(async () => {
      const status = await get();
      expect(status.last_rejected).not.toBeNull();
      return status;
    });
    expect(refused).toMatchObject({
      version: before.version,
      last_rejected: { path, reason: 'canary.steps: the last step must be 100' },
    });

    replace('risk:\n  max: 6\n');
    const applied = await eventually(async () => {
      const status = await get();
      expect(status.policy.risk.max).toBe(6);
      return status;
    });
    expect(applied.version).not.toBe(before.version);
    expect(applied.last_rejected).toBeNull();
  });

  it('documents the response in OpenAPI', async () => {
    const spec = (await h.apps[0]!.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(JSON.stringify(spec.paths['/api/v1/oracle/policies'].get.responses['200'])).toContain('max_shift_points');
  });
});
