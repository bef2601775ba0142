import { QUEUES } from '@metaloop/contracts';
import { eventually, startFakeVllm, type FakeVllm } from '@metaloop/testing';
import {
  BASE_CONFIG,
  orchestratorHarness,
  promptMutation,
  type OrchestratorHarness,
} from '../__tests__/orchestrator-harness';
import { RollbackService } from '@metaloop/control';
import { PolicyStore } from '@metaloop/policies';
import { AdapterContexts } from '../common/adapter-contexts';
import { RolloutReadings } from '../monitor/rollout-readings';
import { PlanExecutionService } from './plan-execution.service';

describe('plan execution (the orchestrator in-process, real Postgres, NATS and Redis)', () => {
  let h: OrchestratorHarness;
  let vllm: FakeVllm;

  beforeAll(async () => {
    vllm = await startFakeVllm('llama-3-8b');
    h = await orchestratorHarness('orch_execution', {
      LORA_SERVER_URL: vllm.url,
      SIDE_EFFECT_RETRIES: '1',
      SIDE_EFFECT_BACKOFF_MS: '5',
      SIDE_EFFECT_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    await h?.dispose();
    await vllm?.close();
  });

  const planOf = (id: string) =>
    h.prisma.plan.findUniqueOrThrow({ where: { id }, include: { mutations: true, rollouts: true } });
  const jobResult = async (planId: string) =>
    eventually(
      async () => {
        // One read of the job: its finishedOn and returnvalue come from the same snapshot.
        const job = await h.queue(QUEUES.plans).getJob(planId);
        if (!job?.finishedOn || job.failedReason || !job.returnvalue)
          throw new Error(`plan job ${planId} not completed: ${job?.failedReason ?? 'waiting'}`);
        return job.returnvalue as {
          status: string;
          rollouts: Array<{
            outcome: string;
            rollout_id: string | null;
            rollback_key: string | null;
            reason: string | null;
          }>;
        };
      },
      15_000,
      50,
    );

  it('starts a canary at the first step: candidate revision, rollout, routing, decision, audit, monitor schedule', async () => {
    const stable = await h.registerAgent('exec_ok');
    const planId = await h.queuePlan([promptMutation('exec_ok')]);
    const { status, rollouts } = await jobResult(planId);
    expect(status).toBe('executing');
    expect(rollouts).toEqual([
      expect.objectContaining({ outcome: 'started', rollback_key: expect.stringMatching(/^rollback_[0-9a-f]{16}$/) }),
    ]);
    const rolloutId = rollouts[0]!.rollout_id!;

    const rollout = await h.prisma.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
    expect(rollout).toMatchObject({
      status: 'running',
      weightBp: 1000,
      stepIndex: 0,
      steps: [10, 50, 100],
      stableRevisionId: stable,
      planId,
    });
    const candidate = await h.prisma.revision.findUniqueOrThrow({ where: { id: rollout.candidateRevisionId } });
    expect(candidate).toMatchObject({
      parentId: stable,
      mutationType: 'PROMPT_PATCH',
      config: expect.objectContaining({
        prompt: { version: 'v2', template: 'You are a helpful assistant. Be brief.' },
      }),
    });
    expect(await h.liveState('exec_ok')).toMatchObject({ rollout: { rolloutId, status: 'running', weightBp: 1000 } });
    expect(h.messages.some((m) => m.agent_id === 'exec_ok' && m.reason === 'rollout_started')).toBe(true);
    expect((await planOf(planId)).mutations[0]).toMatchObject({ status: 'applied' });
    expect(await h.prisma.rolloutDecision.findMany({ where: { rolloutId } })).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'start', actor: 'api_key:test' })]),
    );
    const actions = (
      await h.prisma.auditEntry.findMany({
        where: { OR: [{ entityId: rolloutId }, { entityId: planId }] },
        orderBy: { id: 'asc' },
      })
    ).map((a) => a.action);
    expect(actions.slice(0, 3)).toEqual(['plan.executing', 'rollout.created', 'rollout.started']);
    const schedulers = await h.queue(QUEUES.rollouts).getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: `monitor-${rolloutId}`, every: 1000 })]);
  });

  it('runs a plan again without a second rollout (the job retried, or queued twice)', async () => {
    await h.registerAgent('exec_twice');
    const planId = await h.queuePlan([promptMutation('exec_twice')]);
    const first = await jobResult(planId);
    const again = await h.app.get(PlanExecutionService).execute(planId, 'api_key:test');
    expect(again.rollouts).toEqual([
      expect.objectContaining({ outcome: 'earlier', rollout_id: first.rollouts[0]!.rollout_id }),
    ]);
    expect(await h.prisma.rollout.count({ where: { agentId: 'exec_twice' } })).toBe(1);
  });

  it('fails a mutation its adapter refuses, and the plan with it', async () => {
    await h.registerAgent('exec_refused');
    const planId = await h.queuePlan([promptMutation('exec_refused', 'v9')]);
    const { rollouts, status } = await jobResult(planId);
    expect(rollouts).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        rollout_id: null,
        reason: expect.stringMatching(/prompt "v9" is not a registered candidate/),
      }),
    ]);
    expect(status).toBe('failed');
    expect((await planOf(planId)).mutations[0]).toMatchObject({ status: 'failed' });
  });

  it('refuses what the budget does not allow: one rollout per agent', async () => {
    await h.registerAgent('exec_busy');
    const first = await jobResult(await h.queuePlan([promptMutation('exec_busy')]));
    expect(first.rollouts[0]!.outcome).toBe('started');
    const second = await jobResult(await h.queuePlan([promptMutation('exec_busy')]));
    expect(second.rollouts).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        reason: expect.stringMatching(/^budget: agent already has rollout/),
      }),
    ]);
    expect(
      await h.prisma.auditEntry.findFirst({ where: { action: 'mutation.refused', agentId: 'exec_busy' } }),
    ).toBeTruthy();
  });

  it('does not start a candidate derived from a stable revision that moved meanwhile (an operator deployed): the mutation is skipped and its findings go back', async () => {
    const stable = await h.registerAgent('exec_moved');
    await h.prisma.revision.create({
      data: {
        id: 'rev_exec_moved_deployed',
        agentId: 'exec_moved',
        parentId: stable,
        configHash: 'deployed',
        config: { ...BASE_CONFIG, params: { temperature: 0.2 } },
        createdBy: 'spec',
      },
    });
    const findingId = '01a24e00-0000-7000-8000-000000000001';
    await h.prisma.finding.create({
      data: {
        id: findingId,
        type: 'dissatisfaction',
        agentId: 'exec_moved',
        revisionId: stable,
        severity: 'high',
        confidence: 0.9,
        summary: 'low ratings',
        evidence: {},
        dedupKey: 'exec_moved',
        status: 'planned',
      },
    });
    const contexts = h.app.get(AdapterContexts);
    const read = contexts.forAgent.bind(contexts);
    // The deploy lands right after the launcher read the stable revision, before it reserves.
    jest.spyOn(contexts, 'forAgent').mockImplementationOnce(async (...args) => {
      const ctx = await read(...args);
      await h.prisma.agent.update({
        where: { id: 'exec_moved' },
        data: { stableRevisionId: 'rev_exec_moved_deployed' },
      });
      return ctx;
    });
    const planId = await h.queuePlan([promptMutation('exec_moved')], [findingId]);
    const { rollouts } = await jobResult(planId);
    expect(rollouts).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        rollout_id: null,
        reason: expect.stringMatching(/stable revision is no longer/),
      }),
    ]);
    expect(await h.prisma.rollout.count({ where: { agentId: 'exec_moved' } })).toBe(0);
    expect(await h.prisma.agent.findUniqueOrThrow({ where: { id: 'exec_moved' } })).toMatchObject({
      stableRevisionId: 'rev_exec_moved_deployed',
      activeRolloutId: null,
    });
    expect(await h.prisma.finding.findUniqueOrThrow({ where: { id: findingId } })).toMatchObject({ status: 'open' });
  });

  it("counts a restored candidate's events only from the next minute when it served earlier in the minute its rollout starts", async () => {
    await h.registerAgent('exec_restored');
    const first = await jobResult(await h.queuePlan([promptMutation('exec_restored')]));
    const earlier = await h.prisma.rollout.findUniqueOrThrow({ where: { id: first.rollouts[0]!.rollout_id! } });
    await h.app
      .get(RollbackService)
      .rollBack(earlier.id, { reason: 'manual', trigger: 'operator', actor: 'test', detail: 'make room' });
    // Well inside a minute: the candidate's revision (content-hashed: the same id again) serves traffic, then its rollout starts.
    if (Date.now() % 60_000 > 45_000)
      await new Promise((resolve) => setTimeout(resolve, 61_000 - (Date.now() % 60_000)));
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await h.prisma.feedbackRollup.create({
      data: {
        agentId: 'exec_restored',
        revisionId: earlier.candidateRevisionId,
        bucket: minute,
        count: 50,
        successN: 50,
        successSum: 50,
      },
    });
    const again = await jobResult(await h.queuePlan([promptMutation('exec_restored')]));
    const rollout = await h.prisma.rollout.findUniqueOrThrow({ where: { id: again.rollouts[0]!.rollout_id! } });
    expect(rollout.candidateRevisionId).toBe(earlier.candidateRevisionId);
    expect(rollout.evidenceFrom).toEqual(new Date(minute.getTime() + 60_000));
    const readings = await h.app
      .get(RolloutReadings)
      .read(rollout, h.app.get(PolicyStore).current().policy, new Date());
    expect(readings.canary.count).toBe(0);
    // Without earlier traffic the rollout counts from its own minute.
    expect(earlier.evidenceFrom).toEqual(new Date(Math.floor(earlier.startedAt!.getTime() / 60_000) * 60_000));
  }, 90_000);

  it('loads a LoRA adapter at apply and verifies it; a server refusing fails the rollout and reverts what it did', async () => {
    const lora = [{ type: 'lora', adapter_id: 'tone', base_model: 'llama-3-8b', source: '/adapters/tone' }] as const;
    const mutation = {
      ...promptMutation('exec_lora'),
      type: 'LORA_APPLY' as const,
      params: { action: 'attach' as const, adapter_id: 'tone' },
    };
    await h.registerAgent('exec_lora', BASE_CONFIG, [...lora]);
    const ok = await jobResult(await h.queuePlan([mutation]));
    expect(ok.rollouts[0]!.outcome).toBe('started');
    expect(vllm.loaded.get('tone')).toBe('/adapters/tone');
    const state = (await h.prisma.rollout.findUniqueOrThrow({ where: { id: ok.rollouts[0]!.rollout_id! } }))
      .adapterState;
    expect(state).toMatchObject({
      type: 'LORA_APPLY',
      effects: [{ effect: { kind: 'lora_load', lora_name: 'tone' }, status: 'done' }],
    });

    // The server lists nothing: verify fails after the load, so the rollout fails and the load is undone.
    await h.registerAgent('exec_lora_bad', BASE_CONFIG, [
      { type: 'lora', adapter_id: 'ghost', base_model: 'llama-3-8b', source: '/adapters/ghost' },
    ]);
    vllm.fault('/v1/models', 500);
    const bad = await jobResult(
      await h.queuePlan([
        { ...mutation, agent_id: 'exec_lora_bad', params: { action: 'attach', adapter_id: 'ghost' } },
      ]),
    );
    expect(bad.rollouts[0]).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/^verify failed: lora_load ghost/),
    });
    vllm.clearFaults();
    const failed = await eventually(
      async () => {
        const row = await h.prisma.rollout.findUniqueOrThrow({ where: { id: bad.rollouts[0]!.rollout_id! } });
        if (row.revertStatus !== 'done') throw new Error(`revert ${row.revertStatus}`);
        return row;
      },
      10_000,
      50,
    );
    expect(failed).toMatchObject({ status: 'failed', revertStatus: 'done' });
    expect(vllm.loaded.has('ghost')).toBe(false);
    expect((await h.prisma.agent.findUniqueOrThrow({ where: { id: 'exec_lora_bad' } })).activeRolloutId).toBeNull();
  });
});
