import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICIES_PATH } from '../default-policies-path';
import { policySchema } from '../policy.schema';
import { loadPolicyFile, PolicyLoadError } from './load-policy-file';

describe('loadPolicyFile', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const rejection = (path: string): PolicyLoadError => {
    try {
      loadPolicyFile(path);
    } catch (error) {
      if (error instanceof PolicyLoadError) return error;
      throw error;
    }
    throw new Error('expected the file to be rejected');
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'policies-load-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the bundled default file, which writes out exactly the defaults', () => {
    const effective = loadPolicyFile(DEFAULT_POLICIES_PATH, {}, new Date('2026-06-01T00:00:00Z'));
    expect(effective).toMatchObject({
      source_path: DEFAULT_POLICIES_PATH,
      overrides: {},
      loaded_at: '2026-06-01T00:00:00.000Z',
    });
    expect(effective.policy).toEqual(policySchema.parse({}));
    expect(effective.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies the environment overrides that are set', () => {
    const effective = loadPolicyFile(DEFAULT_POLICIES_PATH, {
      ORACLE_CONFIDENCE_THRESHOLD: 0.8,
      ORACLE_MAX_MUTATIONS_PER_HOUR: 4,
      ORACLE_AUTO_ROLLBACK: false,
      REQUIRE_APPROVAL_FOR_HIGH_RISK: false,
      CANARY_DEPLOYMENT_PERCENT: 30,
    });
    expect(effective.policy).toMatchObject({
      confidence: { min: 0.8, min_evidence_events: 10 },
      budgets: { mutations_per_hour: { global: 4, per_environment: { prod: 5 } } },
      auto_rollback: { enabled: false, max_error_rate: 0.15 },
      approval: { high_risk: { required: false, above: 6 } },
      canary: { steps: [30, 50, 100] },
    });
    expect(effective.overrides).toEqual({
      ORACLE_CONFIDENCE_THRESHOLD: 0.8,
      ORACLE_MAX_MUTATIONS_PER_HOUR: 4,
      ORACLE_AUTO_ROLLBACK: false,
      REQUIRE_APPROVAL_FOR_HIGH_RISK: false,
      CANARY_DEPLOYMENT_PERCENT: 30,
    });
    expect(effective.version).not.toBe(loadPolicyFile(DEFAULT_POLICIES_PATH).version);
  });

  it('leaves the file’s values where overrides are unset', () => {
    const path = file('partial.yaml', 'confidence:\n  min: 0.9\ncanary:\n  steps: [1, 10, 100]\n');
    const effective = loadPolicyFile(path, { ORACLE_CONFIDENCE_THRESHOLD: undefined });
    expect(effective.policy.confidence.min).toBe(0.9);
    expect(effective.policy.canary.steps).toEqual([1, 10, 100]);
    expect(effective.overrides).toEqual({});
    expect(loadPolicyFile(path, { CANARY_DEPLOYMENT_PERCENT: 5 }).policy.canary.steps).toEqual([5, 10, 100]);
  });

  it.each([
    [
      'a schema error',
      'budgets:\n  mutations_per_hour:\n    global: -3\n',
      'budgets.mutations_per_hour.global: Too small: expected number to be >=0',
    ],
    ['a misspelt field', 'cooldown:\n  per_agent_minute: 5\n', 'cooldown.per_agent_minute: unknown field'],
    ['a YAML syntax error', 'risk:\n  max: [8\n', 'YAML: '],
    ['a duplicated key', 'risk:\n  max: 8\n  max: 9\n', 'YAML: duplicated mapping key at line 3, column 3'],
  ])('rejects %s naming the file, the field and the reason', (_case, text, reason) => {
    const path = file('bad.yaml', text);
    const error = rejection(path);
    expect(error.path).toBe(path);
    expect(error.reason.startsWith(reason)).toBe(true);
    expect(error.message).toBe(`policy file ${path} rejected: ${error.reason}`);
  });

  it('lists every problem of a file at once', () => {
    const error = rejection(file('many.yaml', 'risk:\n  max: 12\ncanary:\n  steps: [50, 25, 100]\n  color: red\n'));
    expect(error.issues.map((issue) => issue.field_path)).toEqual(['risk.max', 'canary.steps', 'canary.color']);
  });

  it('rejects a missing file', () => {
    const error = rejection(join(dir, 'nope.yaml'));
    expect(error.reason).toBe('cannot read the file (ENOENT)');
  });

  it('versions by content: stable across loads and key order, changed by any value', () => {
    const a = file('a.yaml', 'risk: { max: 7 }\nconfidence: { min: 0.75 }\n');
    const b = file('b.yaml', '# same, reordered\nconfidence:\n  min: 0.75\nrisk:\n  max: 7\n');
    const c = file('c.yaml', 'risk: { max: 7 }\nconfidence: { min: 0.76 }\n');
    expect(loadPolicyFile(a).version).toBe(loadPolicyFile(a).version);
    expect(loadPolicyFile(b).version).toBe(loadPolicyFile(a).version);
    expect(loadPolicyFile(c).version).not.toBe(loadPolicyFile(a).version);
  });

  it('takes an empty document for all defaults', () => {
    expect(loadPolicyFile(file('empty.yaml', '---\n')).version).toBe(loadPolicyFile(DEFAULT_POLICIES_PATH).version);
  });
});
