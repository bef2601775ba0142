import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@metaloop/db';
import { ACTIVE_ROLLOUT_STATUSES, type Environment, type MutationType } from '@metaloop/contracts';
import {
  budgetRefusal,
  type AgentBudgetState,
  type BudgetLimits,
  type BudgetRefusal,
  type BudgetUsage,
} from './budget-limits';

type Db = Prisma.TransactionClient | PrismaService;

export type Reservation<T> = { ok: true; value: T } | { ok: false; refusal: BudgetRefusal };

const ACTIVE = Prisma.join(ACTIVE_ROLLOUT_STATUSES.map((status) => Prisma.sql`${status}::"RolloutStatus"`));

/**
 * The mutation budget, enforced atomically across every replica of every app: a reservation
 * takes a Postgres advisory lock (per schema), counts what the windows already hold and, when
 * one more fits, starts the rollout in the same transaction. The rollouts table is the ledger,
 * so the budget survives restarts and cannot drift from what really ran.
 */
@Injectable()
export class MutationBudget {
  constructor(private readonly prisma: PrismaService) {}

  async usage(db: Db = this.prisma): Promise<BudgetUsage> {
    const [counts] = await db.$queryRaw<
      Array<{
        last_hour: number;
        active: number;
        by_env: Record<string, number> | null;
        by_type: Record<string, number> | null;
      }>
    >`
      WITH recent AS (
        SELECT r.mutation_type, r.status, r.created_at, a.environment
        FROM rollouts r JOIN agents a ON a.id = r.agent_id
        WHERE r.created_at > now() - interval '1 day' OR r.status IN (${ACTIVE})
      )
      SELECT
        count(*) FILTER (WHERE created_at > now() - interval '1 hour')::int AS last_hour,
        count(*) FILTER (WHERE status IN (${ACTIVE}))::int AS active,
        (SELECT jsonb_object_agg(environment, n) FROM (
          SELECT environment::text, count(*)::int AS n FROM recent WHERE created_at > now() - interval '1 hour' GROUP BY 1) e) AS by_env,
        (SELECT jsonb_object_agg(mutation_type, n) FROM (
          SELECT mutation_type::text, count(*)::int AS n FROM recent WHERE created_at > now() - interval '1 day' GROUP BY 1) t) AS by_type
      FROM recent`;
    const byEnv = counts?.by_env ?? {};
    return {
      lastHour: counts?.last_hour ?? 0,
      activeRollouts: counts?.active ?? 0,
      lastHourByEnvironment: { dev: byEnv['dev'] ?? 0, staging: byEnv['staging'] ?? 0, prod: byEnv['prod'] ?? 0 },
      lastDayByType: (counts?.by_type ?? {}) as Partial<Record<MutationType, number>>,
    };
  }

  async agentState(agentId: string, db: Db = this.prisma): Promise<AgentBudgetState | null> {
    const agent = await db.agent.findUnique({
      where: { id: agentId },
      select: { environment: true, activeRolloutId: true },
    });
    if (!agent) return null;
    const last = await db.rollout.aggregate({
      where: { agentId, finishedAt: { not: null } },
      _max: { finishedAt: true },
    });
    return {
      environment: agent.environment as Environment,
      activeRolloutId: agent.activeRolloutId,
      lastFinishedAt: last._max.finishedAt,
    };
  }

  /**
   * Checks every limit for one more `mutationType` rollout on the agent and, only if it fits,
   * runs `start` (which creates the rollout and claims the agent) inside the same locked
   * transaction; otherwise says which limit refused it.
   */
  async reserve<T>(
    limits: BudgetLimits,
    request: { agentId: string; mutationType: MutationType },
    start: (tx: Prisma.TransactionClient) => Promise<T>,
  ): Promise<Reservation<T>> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':mutation-budget'))`;
      const agent = await this.agentState(request.agentId, tx);
      if (!agent)
        return { ok: false, refusal: { code: 'unknown_agent', reason: `agent ${request.agentId} is not registered` } };
      const [usage, [{ now }]] = await Promise.all([
        this.usage(tx),
        tx.$queryRaw<[{ now: Date }]>`SELECT now() AS now`,
      ]);
      const refusal = budgetRefusal(limits, usage, agent, request.mutationType, now);
      if (refusal) return { ok: false, refusal };
      return { ok: true, value: await start(tx) };
    });
  }
}
