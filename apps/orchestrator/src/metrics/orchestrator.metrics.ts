import { Injectable } from '@nestjs/common';
import { budgetLimitsFromPolicy, budgetRemaining, FreezeControl, MutationBudget } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import { ACTIVE_ROLLOUT_STATUSES, MUTATION_TYPES } from '@metaloop/contracts';
import { MetricsRegistry } from '@metaloop/observability';
import { PolicyStore } from '@metaloop/policies';
import { LIVE_ROLLOUT_STATUSES } from '@metaloop/registry';
import { Counter, Gauge } from 'prom-client';

/** What one look made of a step: pass (next step or promotion), fail (rollback), inconclusive (more samples, or paused), hold (frozen or paused). */
export const STEP_RESULTS = ['pass', 'fail', 'inconclusive', 'hold'] as const;
export type StepResult = (typeof STEP_RESULTS)[number];

/** How long a finished rollout keeps its agent's canary-weight series (at 0), so the drop shows. */
const FINISHED_WEIGHT_WINDOW_MS = 3_600_000;

/**
 * The orchestrator's own counters, and gauges read from Postgres when Prometheus scrapes (every
 * replica reports the same state): freeze, rollouts in progress, canary weights, the mutation
 * budget left, reverts pending or failed.
 */
@Injectable()
export class OrchestratorMetrics {
  readonly stepResults: Counter<'result'>;
  readonly revertFailures: Counter<'mutation_type'>;

  constructor(
    registry: MetricsRegistry,
    prisma: PrismaService,
    freeze: FreezeControl,
    budget: MutationBudget,
    policies: PolicyStore,
  ) {
    const registers = [registry];
    this.stepResults = new Counter({
      name: 'metaloop_rollout_step_results_total',
      help: 'Canary looks by result: pass, fail (rollback), inconclusive, hold',
      labelNames: ['result'],
      registers,
    });
    for (const result of STEP_RESULTS) this.stepResults.inc({ result }, 0);
    this.revertFailures = new Counter({
      name: 'metaloop_adapter_revert_failures_total',
      help: 'Failed adapter.revert attempts by mutation type (retried with backoff until done)',
      labelNames: ['mutation_type'],
      registers,
    });
    for (const mutation_type of MUTATION_TYPES) this.revertFailures.inc({ mutation_type }, 0);
    const quietly = <T>(read: Promise<T>) => read.catch(() => undefined);

    new Gauge({
      name: 'metaloop_freeze_active',
      help: '1 while frozen (POST /api/v1/oracle/freeze, or freeze.frozen in the policy file): no new rollouts, no further steps',
      registers,
      async collect() {
        const state = await quietly(freeze.state());
        if (state) this.set(state.frozen || policies.current().policy.freeze.frozen ? 1 : 0);
      },
    });
    new Gauge({
      name: 'metaloop_rollouts_active',
      help: 'Rollouts in progress by status (pending: being applied, running, paused)',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await quietly(
          prisma.rollout.groupBy({
            by: ['status'],
            where: { status: { in: [...ACTIVE_ROLLOUT_STATUSES] } },
            _count: { _all: true },
          }),
        );
        if (!counts) return;
        for (const status of ACTIVE_ROLLOUT_STATUSES)
          this.set({ status }, counts.find((c) => c.status === status)?._count._all ?? 0);
      },
    });
    new Gauge({
      name: 'metaloop_rollouts_by_step',
      help: 'Rollouts running or paused by their current canary step (percent of sessions)',
      labelNames: ['step'],
      registers,
      async collect() {
        const counts = await quietly(
          prisma.rollout.groupBy({
            by: ['weightBp'],
            where: { status: { in: [...LIVE_ROLLOUT_STATUSES] } },
            _count: { _all: true },
          }),
        );
        if (!counts) return;
        this.reset();
        for (const c of counts) this.set({ step: String(c.weightBp / 100) }, c._count._all);
      },
    });
    new Gauge({
      name: 'metaloop_rollout_canary_weight_percent',
      help: 'Share of sessions on the canary per agent with a rollout in progress (0 for an hour after it finished)',
      labelNames: ['agent_id'],
      registers,
      async collect() {
        const rows = await quietly(
          prisma.rollout.findMany({
            where: {
              OR: [
                { status: { in: [...LIVE_ROLLOUT_STATUSES] } },
                { finishedAt: { gt: new Date(Date.now() - FINISHED_WEIGHT_WINDOW_MS) } },
              ],
            },
            select: { agentId: true, status: true, weightBp: true },
          }),
        );
        if (!rows) return;
        this.reset();
        const weights = new Map<string, number>();
        for (const row of rows)
          weights.set(
            row.agentId,
            Math.max(
              weights.get(row.agentId) ?? 0,
              row.status === 'running' || row.status === 'paused' ? row.weightBp / 100 : 0,
            ),
          );
        for (const [agent_id, weight] of weights) this.set({ agent_id }, weight);
      },
    });
    new Gauge({
      name: 'metaloop_mutation_budget_remaining',
      help: 'Mutations still allowed by the budget: scope global and per environment (rolling hour), per mutation type (rolling day)',
      labelNames: ['scope'],
      registers,
      async collect() {
        const usage = await quietly(budget.usage());
        if (!usage) return;
        const left = budgetRemaining(budgetLimitsFromPolicy(policies.current().policy), usage);
        this.set({ scope: 'global' }, left.perHour);
        for (const [scope, value] of [
          ...Object.entries(left.perHourByEnvironment),
          ...Object.entries(left.perDayByType),
        ])
          this.set({ scope }, value);
      },
    });
    new Gauge({
      name: 'metaloop_adapter_reverts',
      help: 'Rollouts whose adapter revert is pending (being retried) or failed (a person must look)',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await quietly(
          prisma.rollout.groupBy({
            by: ['revertStatus'],
            where: { revertStatus: { in: ['pending', 'failed'] } },
            _count: { _all: true },
          }),
        );
        if (!counts) return;
        for (const status of ['pending', 'failed'] as const)
          this.set({ status }, counts.find((c) => c.revertStatus === status)?._count._all ?? 0);
      },
    });
  }
}
