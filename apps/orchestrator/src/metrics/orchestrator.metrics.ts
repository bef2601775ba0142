import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { budgetLimitsFromPolicy, budgetRemaining, FreezeControl, MutationBudget } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import { ACTIVE_ROLLOUT_STATUSES, LIVE_ROLLOUT_STATUSES, MUTATION_TYPES } from '@metaloop/contracts';
import { MetricsRegistry, refreshEvery } from '@metaloop/observability';
import { PolicyStore } from '@metaloop/policies';
import { Counter, Gauge } from 'prom-client';

/** What one look made of a step: pass (next step or promotion), fail (rollback), inconclusive (more samples, or paused), hold (frozen or paused). */
export const STEP_RESULTS = ['pass', 'fail', 'inconclusive', 'hold'] as const;
export type StepResult = (typeof STEP_RESULTS)[number];

/** How long a finished rollout keeps its agent's canary-weight series (at 0), so the drop shows. */
const FINISHED_WEIGHT_WINDOW_MS = 3_600_000;
/** How often the gauges read from Postgres are refreshed (a scrape every 15 s sees them at most this old). */
const GAUGE_REFRESH_MS = 5_000;

/**
 * The orchestrator's own counters, and gauges read from Postgres every GAUGE_REFRESH_MS, off the
 * scrape path, so a scrape never waits for the database (every replica reports the same state):
 * freeze, rollouts in progress, canary weights, the mutation budget left, reverts pending or failed.
 */
@Injectable()
export class OrchestratorMetrics implements OnModuleInit, OnModuleDestroy {
  readonly stepResults: Counter<'result'>;
  readonly revertFailures: Counter<'mutation_type'>;
  /** Each gauge's read of Postgres and what it sets. */
  private readonly refreshers: Array<() => Promise<void>> = [];
  private stopRefreshing?: () => void;

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

    {
      const gauge = new Gauge({
        name: 'metaloop_freeze_active',
        help: '1 while frozen (POST /api/v1/oracle/freeze, or freeze.frozen in the policy file): no new rollouts, no further steps',
        registers,
      });
      this.refreshers.push(async () => {
        const state = await quietly(freeze.state());
        if (state) gauge.set(state.frozen || policies.current().policy.freeze.frozen ? 1 : 0);
      });
    }
    {
      const gauge = new Gauge({
        name: 'metaloop_rollouts_active',
        help: 'Rollouts in progress by status (pending: being applied, running, paused)',
        labelNames: ['status'],
        registers,
      });
      this.refreshers.push(async () => {
        const counts = await quietly(
          prisma.rollout.groupBy({
            by: ['status'],
            where: { status: { in: [...ACTIVE_ROLLOUT_STATUSES] } },
            _count: { _all: true },
          }),
        );
        if (!counts) return;
        for (const status of ACTIVE_ROLLOUT_STATUSES)
          gauge.set({ status }, counts.find((c) => c.status === status)?._count._all ?? 0);
      });
    }
    {
      const gauge = new Gauge({
        name: 'metaloop_rollouts_by_step',
        help: 'Rollouts running or paused by their current canary step (percent of sessions)',
        labelNames: ['step'],
        registers,
      });
      this.refreshers.push(async () => {
        const counts = await quietly(
          prisma.rollout.groupBy({
            by: ['weightBp'],
            where: { status: { in: [...LIVE_ROLLOUT_STATUSES] } },
            _count: { _all: true },
          }),
        );
        if (!counts) return;
        gauge.reset();
        for (const c of counts) gauge.set({ step: String(c.weightBp / 100) }, c._count._all);
      });
    }
    {
      const gauge = new Gauge({
        name: 'metaloop_rollout_canary_weight_percent',
        help: 'Share of sessions on the canary per agent with a rollout in progress (0 for an hour after it finished)',
        labelNames: ['agent_id'],
        registers,
      });
      this.refreshers.push(async () => {
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
        gauge.reset();
        const weights = new Map<string, number>();
        for (const row of rows)
          weights.set(
            row.agentId,
            Math.max(
              weights.get(row.agentId) ?? 0,
              row.status === 'running' || row.status === 'paused' ? row.weightBp / 100 : 0,
            ),
          );
        for (const [agent_id, weight] of weights) gauge.set({ agent_id }, weight);
      });
    }
    {
      const gauge = new Gauge({
        name: 'metaloop_mutation_budget_remaining',
        help: 'Mutations still allowed by the budget: scope global and per environment (rolling hour), per mutation type (rolling day)',
        labelNames: ['scope'],
        registers,
      });
      this.refreshers.push(async () => {
        const usage = await quietly(budget.usage());
        if (!usage) return;
        const left = budgetRemaining(budgetLimitsFromPolicy(policies.current().policy), usage);
        gauge.set({ scope: 'global' }, left.perHour);
        for (const [scope, value] of [
          ...Object.entries(left.perHourByEnvironment),
          ...Object.entries(left.perDayByType),
        ])
          gauge.set({ scope }, value);
      });
    }
    {
      const gauge = new Gauge({
        name: 'metaloop_adapter_reverts',
        help: 'Rollouts whose adapter revert is pending (being retried) or failed (a person must look)',
        labelNames: ['status'],
        registers,
      });
      this.refreshers.push(async () => {
        const counts = await quietly(
          prisma.rollout.groupBy({
            by: ['revertStatus'],
            where: { revertStatus: { in: ['pending', 'failed'] } },
            _count: { _all: true },
          }),
        );
        if (!counts) return;
        for (const status of ['pending', 'failed'] as const)
          gauge.set({ status }, counts.find((c) => c.revertStatus === status)?._count._all ?? 0);
      });
    }
  }

  onModuleInit(): void {
    this.stopRefreshing = refreshEvery(GAUGE_REFRESH_MS, () =>
      Promise.all(this.refreshers.map((refresh) => refresh())).then(() => undefined),
    );
  }

  onModuleDestroy(): void {
    this.stopRefreshing?.();
  }
}
