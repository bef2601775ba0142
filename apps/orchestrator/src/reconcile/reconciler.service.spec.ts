import { QUEUES } from '@metaloop/contracts';
import { MetricsRegistry } from '@metaloop/observability';
import { eventually, startFakeVllm, type FakeVllm } from '@metaloop/testing';
import {
  BASE_CONFIG,
  orchestratorHarness,
  promptMutation,
  type OrchestratorHarness,
} from '../__tests__/orchestrator-harness';
import { MonitorSchedules } from '../monitor/monitor-schedules';
import { Reconciler } from './reconciler.service';

describe('the reconciler: Redis made to agree with Postgres', () => {
  let h: OrchestratorHarness;
  let vllm: FakeVllm;
  let reconciler: Reconciler;

  beforeAll(async () => {
    vllm = await startFakeVllm('llama-3-8b');
    h = await orchestratorHarness('orch_reconcile', {
      LORA_SERVER_URL: vllm.url,
      SIDE_EFFECT_RETRIES: '0',
      SIDE_EFFECT_TIMEOUT_MS: '500',
      JOB_RETRY_MAX_MS: '200',
    });
    reconciler = h.app.get(Reconciler);
  });
  afterAll(async () => {
    await h?.dispose();
    await vllm?.close();
  });

  const running = (agentId: string) =>
    eventually(
      async () => {
        const row = await h.prisma.rollout.findFirst({ where: { agentId, status: 'running' } });
        if (!row) throw new Error('not running yet');
        return row;
      },
      10_000,
      50,
    );

  it('re-creates the monitor schedule of a running rollout (a flushed Redis) and drops those of finished ones', async () => {
    await h.registerAgent('rec_sched');
    await h.queuePlan([promptMutation('rec_sched')]);
    const rollout = await running('rec_sched');
    const schedules = h.app.get(MonitorSchedules);
    await schedules.remove(rollout.id);
    await schedules.ensure('00000000-0000-7000-8000-000000000000', 1000);
    expect(await reconciler.reconcile()).toMatchObject({ schedules_created: 1, schedules_removed: 1 });
    expect([...(await schedules.list())]).toEqual([[rollout.id, 1000]]);
    expect(await reconciler.reconcile()).toMatchObject({ schedules_created: 0, schedules_removed: 0 });
  });

  it('reverts what an emergency rollback left pending while the orchestrator was away, retrying a failing server', async () => {
    const lora = [{ type: 'lora' as const, adapter_id: 'tone', base_model: 'llama-3-8b', source: '/adapters/tone' }];
    await h.registerAgent('rec_revert', BASE_CONFIG, lora);
    await h.queuePlan([
      { ...promptMutation('rec_revert'), type: 'LORA_APPLY', params: { action: 'attach', adapter_id: 'tone' } },
    ]);
    const rollout = await running('rec_revert');
    expect(vllm.loaded.has('tone')).toBe(true);

    // oracle-api flipped routing itself, and Redis never got its revert job.
    await h.prisma.$transaction([
      h.prisma.rollout.update({
        where: { id: rollout.id },
        data: { status: 'rolled_back', weightBp: 0, finishedAt: new Date(), revertStatus: 'pending' },
      }),
      h.prisma.agent.update({ where: { id: 'rec_revert' }, data: { activeRolloutId: null } }),
    ]);
    vllm.fault('/v1/unload_lora_adapter', 503, 2);
    expect(await reconciler.reconcile()).toMatchObject({ reverts_queued: 1 });
    const done = await eventually(
      async () => {
        const row = await h.prisma.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
        if (row.revertStatus !== 'done')
          throw new Error(`${row.revertStatus} after ${row.revertAttempts}: ${row.revertError}`);
        return row;
      },
      10_000,
      50,
    );
    expect(done).toMatchObject({ revertAttempts: 3, revertError: null });
    expect(vllm.loaded.has('tone')).toBe(false);
    expect(await h.app.get(MetricsRegistry).getSingleMetricAsString('metaloop_adapter_revert_failures_total')).toMatch(
      /\{mutation_type="LORA_APPLY",app="orchestrator"\} 2/,
    );
    expect(
      await h.prisma.auditEntry.findFirst({ where: { entityId: rollout.id, action: 'rollout.reverted' } }),
    ).toMatchObject({ details: { attempts: 3 } });
  });

  it('queues a plan again that was left with unstarted mutations and no job', async () => {
    await h.registerAgent('rec_plan');
    const planId = await h.queuePlan([promptMutation('rec_plan')]);
    await running('rec_plan');
    // As if Redis had been flushed before the job ran: no job, no rollout, the plan still queued.
    // The rollout runs a moment before the worker lets go of the job, which cannot be removed locked.
    const job = (await h.queue(QUEUES.plans).getJob(planId))!;
    await eventually(async () => expect(['completed', 'unknown']).toContain(await job.getState()), 10_000, 50);
    if ((await job.getState()) !== 'unknown') await job.remove();
    await h.prisma.rollout.deleteMany({ where: { agentId: 'rec_plan' } });
    await h.prisma.agent.update({ where: { id: 'rec_plan' }, data: { activeRolloutId: null } });
    await h.prisma.mutation.updateMany({ where: { planId }, data: { status: 'pending' } });
    await h.prisma.$executeRawUnsafe(
      `UPDATE plans SET status = 'queued', updated_at = now() - interval '1 minute' WHERE id = $1::uuid`,
      planId,
    );
    expect(await reconciler.reconcile()).toMatchObject({ plans_queued: 1 });
    await running('rec_plan');
  });
});
