import { FreezeControl } from '@metaloop/control';
import { QUEUES } from '@metaloop/contracts';
import { MetricsRegistry } from '@metaloop/observability';
import { eventually } from '@metaloop/testing';
import { orchestratorHarness, promptMutation, type OrchestratorHarness } from '../__tests__/orchestrator-harness';

describe('rollout monitoring (the orchestrator in-process: a look every second)', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await orchestratorHarness('orch_monitor');
  });
  afterAll(() => h?.dispose());

  /** An agent with a running canary of its v2 prompt; its revisions and rollout. */
  async function canary(agentId: string, findingIds: string[] = []) {
    const stable = await h.registerAgent(agentId);
    const planId = await h.queuePlan([promptMutation(agentId)], findingIds);
    const rollout = await eventually(
      async () => {
        const row = await h.prisma.rollout.findFirst({ where: { agentId, status: 'running' } });
        if (!row) throw new Error('not running yet');
        return row;
      },
      10_000,
      50,
    );
    return { stable, candidate: rollout.candidateRevisionId, rolloutId: rollout.id, planId };
  }

  const until = <T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string) =>
    eventually(
      async () => {
        const value = await read();
        if (!ok(value)) throw new Error(`${what}: ${JSON.stringify(value)}`);
        return value;
      },
      15_000,
      100,
    );
  const rolloutOf = (id: string) => h.prisma.rollout.findUniqueOrThrow({ where: { id } });

  it('walks a better candidate through the steps and promotes it, recording the score and lift', async () => {
    const finding = await h.prisma.finding.create({
      data: {
        type: 'dissatisfaction',
        agentId: 'mon_good',
        severity: 'medium',
        confidence: 0.9,
        summary: 'low ratings',
        evidence: {},
        dedupKey: 'mon_good:dissatisfaction',
        status: 'planned',
      },
    });
    const { stable, candidate, rolloutId, planId } = await canary('mon_good', [finding.id]);
    await h.feedback('mon_good', stable, 200);
    await h.feedback('mon_good', candidate, 30, { success: 0.95, helpful: 0.9 });
    await until(
      () => rolloutOf(rolloutId),
      (r) => r.stepIndex === 1,
      'step 1',
    );
    expect(await h.liveState('mon_good')).toMatchObject({ rollout: { weightBp: 5000 } });

    await h.feedback('mon_good', stable, 400);
    await h.feedback('mon_good', candidate, 400, { success: 0.95, helpful: 0.9 });
    const promoted = await until(
      () => rolloutOf(rolloutId),
      (r) => r.status === 'promoted',
      'promoted',
    );
    expect(promoted).toMatchObject({ weightBp: 10_000, stepIndex: 2 });
    expect(await h.liveState('mon_good')).toMatchObject({ stable: { revisionId: candidate }, rollout: null });

    const decisions = await h.prisma.rolloutDecision.findMany({ where: { rolloutId }, orderBy: { createdAt: 'asc' } });
    expect(decisions.map((d) => d.action).filter((a) => a !== 'inconclusive')).toEqual(['start', 'advance', 'promote']);
    const promote = decisions.at(-1)!;
    expect(promote.reason).toMatch(/significantly better on success_rate/);
    const score = (promote.statistics as { score: { lift: number; min_lift: number; canary: number; stable: number } })
      .score;
    expect(score.lift).toBeGreaterThanOrEqual(0.05);
    expect(score.canary).toBeGreaterThan(score.stable);
    const audit = await h.prisma.auditEntry.findFirstOrThrow({
      where: { entityId: rolloutId, action: 'rollout.promoted' },
    });
    expect(audit.details).toMatchObject({
      champion_revision_id: stable,
      challenger_revision_id: candidate,
      score: { lift: score.lift },
    });
    expect(await h.prisma.plan.findUniqueOrThrow({ where: { id: planId } })).toMatchObject({ status: 'completed' });
    expect(await h.prisma.finding.findUniqueOrThrow({ where: { id: finding.id } })).toMatchObject({
      status: 'resolved',
    });
    await until(
      () => h.queue(QUEUES.rollouts).getJobSchedulers(),
      (s) => !s.some((x) => x.key === `monitor-${rolloutId}`),
      'schedule removed',
    );
  });

  it('rolls a canary breaking a hard threshold back at once, and counts it', async () => {
    const { stable, candidate, rolloutId } = await canary('mon_bad');
    await h.feedback('mon_bad', stable, 100);
    // 40 % of calls failing against a healthy stable: over the bound, and shown the change's doing within 30 events.
    await h.feedback('mon_bad', candidate, 30, { error: 0.4 });
    const rolled = await until(
      () => rolloutOf(rolloutId),
      (r) => r.status === 'rolled_back',
      'rolled back',
    );
    expect(rolled).toMatchObject({
      weightBp: 0,
      statusReason: expect.stringMatching(
        /^canary error rate 0\.4 > 0\.15 over 30 events .*canary significantly worse than stable/,
      ),
    });
    expect(await h.liveState('mon_bad')).toMatchObject({ stable: { revisionId: stable }, rollout: null });
    const decision = await h.prisma.rolloutDecision.findFirstOrThrow({ where: { rolloutId, action: 'rollback' } });
    expect(decision).toMatchObject({
      weightBp: 1000,
      actor: 'system:orchestrator',
      statistics: { reason: 'hard_threshold', trigger: 'auto' },
    });
    const metrics = await h.app.get(MetricsRegistry).metrics();
    expect(metrics).toMatch(
      /metaloop_rollbacks_total\{agent_id="mon_bad",reason="hard_threshold",trigger="auto",app="orchestrator"\} 1/,
    );
    expect(metrics).toMatch(/metaloop_rollback_duration_seconds_count\{app="orchestrator",trigger="auto"\} [1-9]/);
    expect(metrics).toMatch(/metaloop_rollout_step_results_total\{result="fail",app="orchestrator"\} [1-9]/);
  });

  it('rolls back a canary the comparison finds significantly worse', async () => {
    const { stable, candidate, rolloutId } = await canary('mon_worse');
    await h.feedback('mon_worse', stable, 1500);
    await h.feedback('mon_worse', candidate, 300, { success: 0.55 });
    const rolled = await until(
      () => rolloutOf(rolloutId),
      (r) => r.status === 'rolled_back',
      'rolled back',
    );
    expect(rolled.statusReason).toMatch(/^canary significantly worse than stable on success_rate/);
  });

  it('retires a challenger shown unable to reach the promotion lift: routing back to stable, the agent released, evidence kept', async () => {
    const { stable, candidate, rolloutId, planId } = await canary('mon_same');
    // Identical arms, enough of them that the futility test rejects "lift ≥ min_lift" at once.
    await h.feedback('mon_same', stable, 3000);
    await h.feedback('mon_same', candidate, 3000);
    const retired = await until(
      () => rolloutOf(rolloutId),
      (r) => r.status === 'retired',
      'retired',
    );
    expect(retired).toMatchObject({
      weightBp: 0,
      statusReason: expect.stringMatching(
        /^the challenger cannot reach the promotion lift 0\.05: .*: retired, the champion stays$/,
      ),
    });
    expect(await h.liveState('mon_same')).toMatchObject({ stable: { revisionId: stable }, rollout: null });
    expect(await h.prisma.agent.findUniqueOrThrow({ where: { id: 'mon_same' } })).toMatchObject({
      stableRevisionId: stable,
      activeRolloutId: null,
    });
    const decision = await h.prisma.rolloutDecision.findFirstOrThrow({ where: { rolloutId, action: 'retire' } });
    const evidence = decision.statistics as {
      reason: string;
      statistics: { futility: { futile: boolean; p_value: number; alpha: number; bound: number } };
    };
    expect(evidence.reason).toBe('futility');
    expect(evidence.statistics.futility).toMatchObject({ futile: true, alpha: 0.05 });
    expect(evidence.statistics.futility.p_value).toBeLessThanOrEqual(0.05);
    expect(
      await h.prisma.auditEntry.findFirst({ where: { entityId: rolloutId, action: 'rollout.retired' } }),
    ).not.toBeNull();
    expect(await h.prisma.mutation.findFirstOrThrow({ where: { planId } })).toMatchObject({ status: 'retired' });
    expect(h.messages.some((m) => m.agent_id === 'mon_same' && m.reason === 'retired_futility')).toBe(true);
    await until(
      () => h.queue(QUEUES.rollouts).getJobSchedulers(),
      (s) => !s.some((x) => x.key === `monitor-${rolloutId}`),
      'schedule removed',
    );
    const metrics = await h.app.get(MetricsRegistry).metrics();
    expect(metrics).toMatch(
      /metaloop_mutations_total\{mutation_type="PROMPT_PATCH",result="retired",app="orchestrator"\} [1-9]/,
    );
    expect(metrics).not.toMatch(/metaloop_rollbacks_total\{agent_id="mon_same",[^}]*\} [1-9]/);
  });

  it('retires a paused rollout nobody decided on within paused_max_minutes, freeing its agent for the next rollout', async () => {
    const { rolloutId } = await canary('mon_paused');
    // As a pause by the monitor leaves it, 241 minutes ago (paused_max_minutes is 240).
    await h.prisma.$transaction([
      h.prisma.rollout.update({
        where: { id: rolloutId },
        data: { status: 'paused', statusReason: 'inconclusive; paused for a person' },
      }),
      h.prisma.rolloutDecision.create({
        data: {
          rolloutId,
          stepIndex: 0,
          weightBp: 1000,
          action: 'pause',
          reason: 'inconclusive; paused for a person',
          statistics: {},
          actor: 'system:orchestrator',
          createdAt: new Date(Date.now() - 241 * 60_000),
        },
      }),
    ]);
    const retired = await until(
      () => rolloutOf(rolloutId),
      (r) => r.status === 'retired',
      'retired',
    );
    expect(retired.statusReason).toMatch(
      /^paused 24\d\.\d min ago and nobody decided \(paused_max_minutes 240\): retired, the champion stays$/,
    );
    expect(await h.liveState('mon_paused')).toMatchObject({ rollout: null });
    expect(await h.prisma.rolloutDecision.findFirstOrThrow({ where: { rolloutId, action: 'retire' } })).toMatchObject({
      statistics: expect.objectContaining({ reason: 'paused_expired' }),
    });
    // The slot is free: the agent takes its next rollout.
    await h.queuePlan([promptMutation('mon_paused')]);
    await until(
      () => h.prisma.rollout.count({ where: { agentId: 'mon_paused', status: 'running' } }),
      (n) => n === 1,
      'next rollout running',
    );
  });

  it('holds a canary while frozen: no further step', async () => {
    const { stable, candidate, rolloutId } = await canary('mon_frozen');
    await h.app.get(FreezeControl).set(true, 'incident', 'api_key:ops');
    try {
      await h.feedback('mon_frozen', stable, 200);
      await h.feedback('mon_frozen', candidate, 50);
      await until(
        () => h.prisma.rolloutDecision.count({ where: { rolloutId, action: 'hold' } }),
        (n) => n >= 2,
        'holds',
      );
      expect(await rolloutOf(rolloutId)).toMatchObject({ status: 'running', stepIndex: 0 });
      // The gauge is refreshed off the scrape path, every few seconds.
      await eventually(
        async () =>
          expect(await h.app.get(MetricsRegistry).getSingleMetricAsString('metaloop_freeze_active')).toMatch(
            /metaloop_freeze_active\{app="orchestrator"\} 1/,
          ),
        15_000,
      );
    } finally {
      await h.app.get(FreezeControl).set(false, undefined, 'api_key:ops');
    }
    await until(
      () => rolloutOf(rolloutId),
      (r) => r.stepIndex === 1,
      'steps on after the thaw',
    );
  });
});
