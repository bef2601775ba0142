import { AuditLog } from './audit-log.service';
import { FreezeControl } from '../freeze/freeze.service';
import { controlHarness, type ControlHarness } from '../__tests__/control-harness';

describe('AuditLog and FreezeControl (real Postgres)', () => {
  let h: ControlHarness;
  let audit: AuditLog;

  beforeAll(async () => {
    h = await controlHarness('audit_log');
    audit = h.replicas[0]!.get(AuditLog);
  });
  afterAll(() => h?.dispose());

  it('pages newest first and filters', async () => {
    for (let i = 0; i < 5; i++) {
      await audit.record({
        actor: 'system:test',
        action: i % 2 ? 'rollout.step' : 'plan.validated',
        entityType: 'rollout',
        entityId: `r${i}`,
        agentId: i < 3 ? 'alpha' : 'beta',
        details: { i },
      });
    }
    const first = await audit.list({ limit: 2 });
    expect(first.items.map((e) => e.entity_id)).toEqual(['r4', 'r3']);
    const second = await audit.list({ limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((e) => e.entity_id)).toEqual(['r2', 'r1']);
    const last = await audit.list({ limit: 2, cursor: second.next_cursor! });
    expect(last).toEqual({
      items: [expect.objectContaining({ entity_id: 'r0', details: { i: 0 } })],
      next_cursor: null,
    });
    expect(
      (await audit.list({ limit: 50, agent_id: 'alpha', action: 'rollout.step' })).items.map((e) => e.entity_id),
    ).toEqual(['r1']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit.list({ limit: 50, since: future })).items).toEqual([]);
  });

  it('freezes and thaws, auditing who did it and why', async () => {
    const freeze = h.replicas[0]!.get(FreezeControl);
    expect(await freeze.state()).toEqual({ frozen: false, reason: null, updated_by: null, updated_at: null });
    expect(await freeze.set(true, 'incident 42', 'api_key:k1')).toMatchObject({
      frozen: true,
      reason: 'incident 42',
      updated_by: 'api_key:k1',
    });
    expect(await freeze.set(false, undefined, 'anonymous')).toMatchObject({
      frozen: false,
      reason: null,
      updated_by: 'anonymous',
    });
    const entries = (await audit.list({ limit: 10, entity_type: 'control' })).items;
    expect(entries.map((e) => [e.action, e.actor, e.reason])).toEqual([
      ['freeze.off', 'anonymous', null],
      ['freeze.on', 'api_key:k1', 'incident 42'],
    ]);
  });
});
