import { Injectable } from '@nestjs/common';
import type { AdapterContext } from '@metaloop/adapters';
import { PrismaService, type Rollout } from '@metaloop/db';
import { agentConfigSchema, candidateSchema, type Environment } from '@metaloop/contracts';
import { adapterConstraints, PolicyStore } from '@metaloop/policies';

/** What an adapter is told about the agent it works on, from Postgres and the policy in force. */
@Injectable()
export class AdapterContexts {
  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
  ) {}

  /** For a new rollout on the agent's stable revision as it is now; null when the agent or its stable revision is missing. */
  async forAgent(agentId: string, operationId: string): Promise<AdapterContext | null> {
    const agent = await this.prisma.agent.findUnique({ where: { id: agentId }, select: { stableRevisionId: true } });
    if (!agent?.stableRevisionId) return null;
    return this.build(agentId, agent.stableRevisionId, operationId);
  }

  /** For an existing rollout: the parent is the stable revision it started from. */
  forRollout(rollout: Pick<Rollout, 'id' | 'agentId' | 'stableRevisionId'>): Promise<AdapterContext> {
    return this.build(rollout.agentId, rollout.stableRevisionId, rollout.id);
  }

  private async build(agentId: string, parentRevisionId: string, operationId: string): Promise<AdapterContext> {
    const [agent, parent, candidates] = await Promise.all([
      this.prisma.agent.findUniqueOrThrow({ where: { id: agentId }, select: { environment: true } }),
      this.prisma.revision.findUniqueOrThrow({ where: { id: parentRevisionId }, select: { config: true } }),
      this.prisma.candidate.findMany({
        where: { agentId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { spec: true },
      }),
    ]);
    const environment = agent.environment as Environment;
    return {
      agentId,
      environment,
      parentRevisionId,
      parent: agentConfigSchema.parse(parent.config),
      candidates: candidates.map((c) => candidateSchema.parse(c.spec)),
      constraints: adapterConstraints(this.policies.current().policy, environment),
      operationId,
    };
  }
}
