import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@metaloop/testing';
import type { EffectivePolicy } from './load-policy-file';
import { PolicyStore, type PolicyLogger } from './policy-store';

describe('PolicyStore', () => {
  let dir: string;
  let path: string;
  let store: PolicyStore | undefined;
  const warnings: string[] = [];
  const logger: PolicyLogger = { log: () => undefined, warn: (message) => void warnings.push(message) };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'policies-store-'));
    path = join(dir, 'policies.yaml');
    writeFileSync(path, 'risk:\n  max: 8\n');
    warnings.length = 0;
  });
  afterEach(() => {
    store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes elsewhere and renames into place, as editors and ConfigMaps do. */
  const replace = (text: string) => {
    const temporary = join(dir, `.tmp-${Math.random()}`);
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  };

  it('refuses to start from an unusable file, naming it', () => {
    writeFileSync(path, 'risk:\n  max: eight\n');
    expect(() => new PolicyStore({ path })).toThrow(
      `policy file ${path} rejected: risk.max: Invalid input: expected number, received string`,
    );
  });

  it.each([
    ['file-system events', { fsEvents: true, pollIntervalMs: 60_000 }],
    ['polling alone', { fsEvents: false, pollIntervalMs: 100 }],
  ])('picks up a valid change by %s and tells subscribers', async (_how, options) => {
    store = new PolicyStore({ path, logger, ...options });
    const before = store.current();
    const changes: Array<[EffectivePolicy, EffectivePolicy]> = [];
    store.subscribe((current, previous) => changes.push([current, previous]));
    store.watch();
    replace('risk:\n  max: 5\n');
    await eventually(() => expect(store!.current().policy.risk.max).toBe(5));
    expect(store.current().version).not.toBe(before.version);
    expect(changes).toEqual([[store.current(), before]]);
  });

  it('rejects an invalid change with the file, field and reason, keeps the last valid policy, and recovers', async () => {
    store = new PolicyStore({ path, logger, pollIntervalMs: 100 });
    const valid = store.current();
    const changes: EffectivePolicy[] = [];
    store.subscribe((current) => changes.push(current));
    store.watch();

    replace('risk:\n  max: 80\n');
    const rejected = await eventually(() => {
      const status = store!.status();
      expect(status.last_rejected).not.toBeNull();
      return status;
    });
    expect(rejected).toMatchObject({ version: valid.version, policy: valid.policy });
    expect(rejected.last_rejected).toEqual({
      path,
      reason: 'risk.max: Too big: expected number to be <=10',
      issues: [{ field_path: 'risk.max', message: 'Too big: expected number to be <=10' }],
      rejected_at: expect.any(String),
    });
    expect(warnings).toEqual([
      `policy file ${path} rejected: risk.max: Too big: expected number to be <=10; policy ${valid.version.slice(0, 12)} stays in force`,
    ]);

    replace('risk:\n  max: 7\n');
    await eventually(() => expect(store!.current().policy.risk.max).toBe(7));
    expect(store.status().last_rejected).toBeNull();
    expect(changes.map((c) => c.policy.risk.max)).toEqual([7]);
  });

  it('reports a reload that changes nothing as unchanged, and tells no one', () => {
    store = new PolicyStore({ path });
    const listener = jest.fn();
    store.subscribe(listener);
    writeFileSync(path, '# reformatted\nrisk: { max: 8 }\n');
    expect(store.reload()).toBe('unchanged');
    writeFileSync(path, 'risk: { max: 6 }\n');
    expect(store.reload()).toBe('applied');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps the policy when the file disappears, and says so', () => {
    store = new PolicyStore({ path });
    const { version } = store.current();
    rmSync(path);
    expect(store.reload()).toBe('rejected');
    expect(store.status()).toMatchObject({ version, last_rejected: { path, reason: 'cannot read the file (ENOENT)' } });
  });

  it('keeps telling the other subscribers when one throws', () => {
    store = new PolicyStore({ path, logger });
    const unsubscribed = jest.fn();
    const told = jest.fn();
    store.subscribe(() => {
      throw new Error('boom');
    });
    store.subscribe(unsubscribed)();
    store.subscribe(told);
    writeFileSync(path, 'risk: { max: 4 }\n');
    store.reload();
    expect(told).toHaveBeenCalledTimes(1);
    expect(unsubscribed).not.toHaveBeenCalled();
    expect(warnings).toEqual(['a policy subscriber failed: boom']);
  });
});
