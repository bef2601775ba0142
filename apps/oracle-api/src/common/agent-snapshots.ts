import { Injectable } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import {
  agentConfigSchema,
  candidateSchema,
  LIVE_PLAN_STATUSES,
  type AgentConfig,
  type CandidateSpec,
  type Environment,
  type PlanStatus,
} from '@metaloop/contracts';

/** One agent as the planner and the gates see it at this moment. */
export interface AgentSnapshot {
  agentId: string;
  environment: Environment;
  stableRevisionId: string | null;
  stable: AgentConfig | null;
  activeRolloutId: string | null;
  lastRolloutFinishedAt: Date | null;
  /** The newest live plan holding a not yet started mutation for this agent. */
  livePlan: { planId: string; status: PlanStatus } | null;
  /** In registration order. */
  candidates: CandidateSpec[];
}

/** Reads agents with their stable config, candidates and rollout state, in few queries. */
@Injectable()
export class AgentSnapshots {
  constructor(private readonly prisma: PrismaService) {}

  async read(agentIds: readonly string[]): Promise<Map<string, AgentSnapshot>> {
    const ids = [...new Set(agentIds)];
    if (ids.length === 0) return new Map();
    const [agents, finished, pending] = await Promise.all([
      this.prisma.agent.findMany({
        where: { id: { in: ids } },
        include: {
          stableRevision: { select: { config: true } },
          candidates: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
        },
      }),
      this.prisma.rollout.groupBy({
        by: ['agentId'],
        where: { agentId: { in: ids }, finishedAt: { not: null } },
        _max: { finishedAt: true },
      }),
      this.prisma.mutation.findMany({
        where: { agentId: { in: ids }, status: 'pending', plan: { status: { in: [...LIVE_PLAN_STATUSES] } } },
        select: { agentId: true, plan: { select: { id: true, status: true } } },
        orderBy: { planId: 'asc' },
      }),
    ]);
    const lastFinished = new Map(finished.map((f) => [f.agentId, f._max.finishedAt]));
    const livePlans = new Map(pending.map((m) => [m.agentId, { planId: m.plan.id, status: m.plan.status }]));
    return new Map(
      agents.map((agent) => [
        agent.id,
        {
          agentId: agent.id,
          environment: agent.environment,
          stableRevisionId: agent.stableRevisionId,
          stable: agent.stableRevision ? agentConfigSchema.parse(agent.stableRevision.config) : null,
          activeRolloutId: agent.activeRolloutId,
          lastRolloutFinishedAt: lastFinished.get(agent.id) ?? null,
          livePlan: livePlans.get(agent.id) ?? null,
          candidates: agent.candidates.map((c) => candidateSchema.parse(c.spec)),
        },
      ]),
    );
  }
}
