import { Injectable } from '@nestjs/common';
import { budgetLimitsFromPolicy, budgetRemaining, FreezeControl, MutationBudget } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import { ACTIVE_ROLLOUT_STATUSES, tickDeferralSchema, tickPlanSchema, type OracleStatus } from '@metaloop/contracts';
import { z } from 'zod';
import { PolicyStore } from '@metaloop/policies';

const count = <K extends string>(rows: Array<{ _count: { _all: number } } & Record<K, string>>, key: K) =>
  Object.fromEntries(rows.map((row) => [row[key], row._count._all]));

const TICK_PLANS = z.array(tickPlanSchema);
const TICK_DEFERRALS = z.array(tickDeferralSchema);

/** One look at the whole control plane: freeze, policy, last tick, open problems, plans, rollouts, budget. */
@Injectable()
export class StatusService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly freeze: FreezeControl,
    private readonly budget: MutationBudget,
  ) {}

  async status(): Promise<OracleStatus> {
    const policy = this.policies.status();
    const [freeze, usage, lastTick, findings, deferred, plans, active, revertsPending, revertsFailed] =
      await Promise.all([
        this.freeze.state(),
        this.budget.usage(),
        this.prisma.tick.findFirst({ orderBy: { startedAt: 'desc' } }),
        this.prisma.finding.groupBy({ by: ['type'], where: { status: 'open' }, _count: { _all: true } }),
        this.prisma.finding.groupBy({ by: ['deferredReason'], where: { status: 'deferred' }, _count: { _all: true } }),
        this.prisma.plan.groupBy({ by: ['status'], _count: { _all: true } }),
        this.prisma.rollout.count({ where: { status: { in: [...ACTIVE_ROLLOUT_STATUSES] } } }),
        this.prisma.rollout.count({ where: { revertStatus: 'pending' } }),
        this.prisma.rollout.count({ where: { revertStatus: 'failed' } }),
      ]);
    const remaining = budgetRemaining(budgetLimitsFromPolicy(policy.policy), usage);
    return {
      frozen: freeze.frozen || policy.policy.freeze.frozen,
      freeze_reason: freeze.frozen
        ? freeze.reason
        : policy.policy.freeze.frozen
          ? 'frozen by the policy file (freeze.frozen)'
          : null,
      policy: {
        version: policy.version,
        loaded_at: policy.loaded_at,
        last_rejected: policy.last_rejected?.reason ?? null,
      },
      last_tick: lastTick
        ? {
            tick_id: lastTick.id,
            status: lastTick.status === 'succeeded' ? 'succeeded' : 'failed',
            trigger: lastTick.trigger,
            summary: lastTick.summary ?? (lastTick.status === 'running' ? 'running' : ''),
            started_at: lastTick.startedAt.toISOString(),
            finished_at: lastTick.finishedAt?.toISOString() ?? null,
            plans: TICK_PLANS.parse(lastTick.plans),
            deferred: TICK_DEFERRALS.parse(lastTick.deferred),
          }
        : null,
      open_findings: count(findings, 'type'),
      deferred_findings: Object.fromEntries(deferred.map((row) => [row.deferredReason ?? 'unknown', row._count._all])),
      plans: count(plans, 'status'),
      rollouts: { active, reverts_pending: revertsPending, reverts_failed: revertsFailed },
      budget: {
        used: {
          last_hour: usage.lastHour,
          last_hour_by_environment: usage.lastHourByEnvironment,
          last_day_by_type: usage.lastDayByType as Record<string, number>,
        },
        remaining: {
          per_hour: remaining.perHour,
          per_hour_by_environment: remaining.perHourByEnvironment,
          per_day_by_type: remaining.perDayByType,
          concurrent_rollouts: remaining.concurrentRollouts,
        },
      },
    };
  }
}
