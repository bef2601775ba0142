import { LiveConfigStore } from '@metaloop/registry';
import { MetricsRegistry } from '@metaloop/observability';
import { RollbackService } from './rollback.service';
import { RollbackTargetNotFoundError } from './rollback.errors';
import { rollbackHarness, type RollbackHarness } from '../__tests__/rollback-harness';

describe('RollbackService (real Postgres, NATS and Redis)', () => {
  let h: RollbackHarness;
  let rollbacks: RollbackService;
  const cause = {
    reason: 'hard_threshold',
    trigger: 'auto',
    actor: 'system:test',
    detail: 'canary error rate 0.4 > 0.15',
  } as const;

  beforeAll(async () => {
    h = await rollbackHarness('rollback_service', 2);
    rollbacks = h.replicas[0]!.get(RollbackService);
  });
  afterAll(() => h?.dispose());

  it('flips routing back to stable in one change, announces it, then queues the revert', async () => {
    const { rolloutId } = await h.seedRollout('flip', { effects: 1 });
    const live = h.replicas[0]!.get(LiveConfigStore);
    const before = await live.loadLiveState('flip');
    expect(before?.rollout).toMatchObject({ rolloutId, weightBp: 2500 });

    const view = await rollbacks.rollBack(rolloutId, { ...cause, statistics: { error_rate: 0.4 } });
    expect(view).toMatchObject({
      rollout_id: rolloutId,
      status: 'rolled_back',
      weight: 0,
      revert_status: 'pending',
      status_reason: cause.detail,
    });
    const after = await live.loadLiveState('flip');
    expect(after).toMatchObject({ rollout: null, version: before!.version + 1 });
    await h.settled();
    expect(h.messages.filter((m) => m.agent_id === 'flip').at(-1)).toMatchObject({
      version: after!.version,
      reason: 'rollback_hard_threshold',
    });

    expect(await h.prisma.agent.findUnique({ where: { id: 'flip' } })).toMatchObject({ activeRolloutId: null });
    const [decision] = await h.prisma.rolloutDecision.findMany({ where: { rolloutId } });
    expect(decision).toMatchObject({
      action: 'rollback',
      weightBp: 2500,
      stepIndex: 1,
      actor: 'system:test',
      statistics: { reason: 'hard_threshold', trigger: 'auto', statistics: { error_rate: 0.4 } },
    });
    expect(await h.prisma.auditEntry.findMany({ where: { entityId: rolloutId } })).toEqual([
      expect.objectContaining({ action: 'rollout.rolled_back', agentId: 'flip', reason: cause.detail }),
    ]);
    expect((await h.reverts.getJob(`revert-${rolloutId}`))?.data).toEqual({ rollout_id: rolloutId });

    const metrics = await h.replicas[0]!.get(MetricsRegistry).getSingleMetricAsString('metaloop_rollbacks_total');
    expect(metrics).toMatch(
      /metaloop_rollbacks_total\{agent_id="flip",reason="hard_threshold",trigger="auto",app="[^"]+"\} 1/,
    );
  });

  it('needs no revert when the adapter made no side effect, and does nothing to a finished rollout', async () => {
    const { rolloutId } = await h.seedRollout('plain');
    expect(await rollbacks.rollBack(rolloutId, cause)).toMatchObject({ revert_status: 'not_needed' });
    const version = (await h.prisma.agent.findUniqueOrThrow({ where: { id: 'plain' } })).configVersion;
    expect(await rollbacks.rollBack(rolloutId, cause)).toBeNull();
    expect((await h.prisma.agent.findUniqueOrThrow({ where: { id: 'plain' } })).configVersion).toBe(version);
    expect(await h.reverts.getJob(`revert-${rolloutId}`)).toBeUndefined();
  });

  it('lets exactly one of two replicas rolling back the same rollout at once do it', async () => {
    const { rolloutId } = await h.seedRollout('race');
    const results = await Promise.all(
      h.replicas.flatMap((r) => [r, r]).map((r) => r.get(RollbackService).rollBack(rolloutId, cause)),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await h.prisma.rolloutDecision.count({ where: { rolloutId } })).toBe(1);
  });

  it('finds what an operator names: rollback_key, rollout, agent or all; nothing named is a 404', async () => {
    const byKey = await h.seedRollout('by_key');
    const paused = await h.seedRollout('by_agent', { status: 'paused' });
    const pending = await h.seedRollout('by_all', { status: 'pending' });

    const result = await rollbacks.rollBackRequested(
      { rollback_key: byKey.rollbackKey, emergency: true },
      'api_key:k1',
    );
    expect(result.rolled_back).toEqual([
      expect.objectContaining({ rollout_id: byKey.rolloutId, status_reason: 'emergency rollback by api_key:k1' }),
    ]);
    expect(
      await rollbacks.rollBackRequested({ rollback_key: byKey.rollbackKey, emergency: false }, 'api_key:k1'),
    ).toEqual({ rolled_back: [], already_finished: [byKey.rolloutId] });
    expect(
      (await rollbacks.rollBackRequested({ agent_id: 'by_agent', emergency: false, reason: 'looks off' }, 'anonymous'))
        .rolled_back,
    ).toEqual([expect.objectContaining({ rollout_id: paused.rolloutId, status_reason: 'looks off' })]);
    expect(await rollbacks.rollBackRequested({ agent_id: 'by_agent', emergency: false }, 'anonymous')).toEqual({
      rolled_back: [],
      already_finished: [],
    });
    expect(
      (await rollbacks.rollBackRequested({ all: true, emergency: true }, 'anonymous')).rolled_back.map(
        (r) => r.rollout_id,
      ),
    ).toEqual([pending.rolloutId]);

    await expect(
      rollbacks.rollBackRequested({ rollback_key: 'rollback_12345', emergency: true }, 'anonymous'),
    ).rejects.toThrow(RollbackTargetNotFoundError);
    await expect(rollbacks.rollBackRequested({ agent_id: 'nobody', emergency: false }, 'anonymous')).rejects.toThrow(
      'agent "nobody" is not registered',
    );
    const audit = await h.prisma.auditEntry.findMany({ where: { entityId: byKey.rolloutId } });
    expect(audit[0]).toMatchObject({
      actor: 'api_key:k1',
      details: expect.objectContaining({ reason: 'emergency', trigger: 'operator' }),
    });
  });

  it('retires a challenger with the same flip: routing back to stable, agent released, revert queued, plan settled, counted as retired and not as a rollback', async () => {
    const plan = await h.prisma.plan.create({
      data: {
        status: 'executing',
        source: 'test',
        findingIds: [],
        confidence: 0.9,
        risk: 2,
        expectedImpact: [],
        rationale: 'test',
        evidence: {},
        createdBy: 'test',
        mutations: {
          create: [
            {
              ordinal: 0,
              agentId: 'retiree',
              type: 'PROMPT_PATCH',
              params: {},
              confidence: 0.9,
              risk: 2,
              expectedImpact: {},
              rationale: 'r',
              rollbackSpec: {},
              status: 'applied',
            },
          ],
        },
      },
      include: { mutations: true },
    });
    const finding = await h.prisma.finding.create({
      data: {
        type: 'dissatisfaction',
        agentId: 'retiree',
        severity: 'medium',
        confidence: 0.9,
        summary: 'low ratings',
        evidence: {},
        dedupKey: 'retiree:dissatisfaction',
        status: 'planned',
      },
    });
    await h.prisma.plan.update({ where: { id: plan.id }, data: { findingIds: [finding.id] } });
    const { rolloutId } = await h.seedRollout('retiree', { effects: 1, planId: plan.id });
    await h.prisma.rollout.update({ where: { id: rolloutId }, data: { mutationId: plan.mutations[0]!.id } });
    const live = h.replicas[0]!.get(LiveConfigStore);
    const before = await live.loadLiveState('retiree');
    const registry = h.replicas[0]!.get(MetricsRegistry);
    const rollbacksBefore = await registry.getSingleMetricAsString('metaloop_rollbacks_total');
    const durationBefore = await registry.getSingleMetricAsString('metaloop_rollback_duration_seconds');

    const detail = 'the challenger cannot reach the promotion lift 0.05: retired, the champion stays';
    const view = await rollbacks.retire(rolloutId, {
      reason: 'futility',
      actor: 'system:test',
      detail,
      statistics: { futility: { p_value: 0.01 } },
    });
    expect(view).toMatchObject({
      rollout_id: rolloutId,
      status: 'retired',
      weight: 0,
      revert_status: 'pending',
      status_reason: detail,
    });
    const after = await live.loadLiveState('retiree');
    expect(after).toMatchObject({
      rollout: null,
      stable: { revisionId: before!.stable.revisionId },
      version: before!.version + 1,
    });
    await h.settled();
    expect(h.messages.filter((m) => m.agent_id === 'retiree').at(-1)).toMatchObject({
      version: after!.version,
      reason: 'retired_futility',
    });

    expect(await h.prisma.agent.findUnique({ where: { id: 'retiree' } })).toMatchObject({ activeRolloutId: null });
    expect(await h.prisma.mutation.findUnique({ where: { id: plan.mutations[0]!.id } })).toMatchObject({
      status: 'retired',
    });
    expect(await h.prisma.plan.findUnique({ where: { id: plan.id } })).toMatchObject({ status: 'failed' });
    expect(await h.prisma.finding.findUnique({ where: { id: finding.id } })).toMatchObject({ status: 'open' });
    const [decision] = await h.prisma.rolloutDecision.findMany({ where: { rolloutId } });
    expect(decision).toMatchObject({
      action: 'retire',
      weightBp: 2500,
      actor: 'system:test',
      reason: detail,
      statistics: { reason: 'futility', statistics: { futility: { p_value: 0.01 } } },
    });
    expect(await h.prisma.auditEntry.findMany({ where: { entityId: rolloutId } })).toEqual([
      expect.objectContaining({ action: 'rollout.retired', agentId: 'retiree', reason: detail }),
    ]);
    expect((await h.reverts.getJob(`revert-${rolloutId}`))?.data).toEqual({ rollout_id: rolloutId });

    expect(await registry.getSingleMetricAsString('metaloop_mutations_total')).toMatch(
      /metaloop_mutations_total\{mutation_type="PROMPT_PATCH",result="retired",app="[^"]+"\} 1/,
    );
    expect(await registry.getSingleMetricAsString('metaloop_rollbacks_total')).toBe(rollbacksBefore);
    expect(await registry.getSingleMetricAsString('metaloop_rollback_duration_seconds')).toBe(durationBefore);
    // Finished: a second retire (or a rollback) changes nothing.
    expect(await rollbacks.retire(rolloutId, { reason: 'futility', actor: 'system:test', detail })).toBeNull();
    expect(await rollbacks.rollBack(rolloutId, cause)).toBeNull();
  });

  it('settles the plan once its last mutation is rolled back', async () => {
    const plan = await h.prisma.plan.create({
      data: {
        status: 'executing',
        source: 'test',
        confidence: 0.9,
        risk: 2,
        expectedImpact: [],
        rationale: 'test',
        evidence: {},
        createdBy: 'test',
        mutations: {
          create: [
            {
              ordinal: 0,
              agentId: 'planned',
              type: 'PROMPT_PATCH',
              params: {},
              confidence: 0.9,
              risk: 2,
              expectedImpact: {},
              rationale: 'r',
              rollbackSpec: {},
              status: 'applied',
            },
          ],
        },
      },
      include: { mutations: true },
    });
    const { rolloutId } = await h.seedRollout('planned', { planId: plan.id });
    await h.prisma.rollout.update({ where: { id: rolloutId }, data: { mutationId: plan.mutations[0]!.id } });
    await rollbacks.rollBack(rolloutId, cause);
    expect(await h.prisma.plan.findUnique({ where: { id: plan.id } })).toMatchObject({ status: 'failed' });
    expect(await h.prisma.mutation.findUnique({ where: { id: plan.mutations[0]!.id } })).toMatchObject({
      status: 'rolled_back',
    });
    expect(await h.prisma.auditEntry.findFirst({ where: { entityId: plan.id } })).toMatchObject({
      action: 'plan.failed',
      reason: '0 of 1 mutation(s) promoted',
    });
  });
});
