import { Injectable } from '@nestjs/common';
import { PrismaService, type Agent, type Rollout } from '@metaloop/db';
import type {
  AgentListQuery,
  AgentListResponse,
  AgentResponse,
  CreateAgentRequest,
  CreateAgentResponse,
} from '@metaloop/contracts';
import { ConfigChangePublisher } from './config-change.publisher';
import { CURSOR_KEYS, decodeCursor, pageOf } from './page-cursor';
import { AgentExistsError, AgentNotFoundError, prismaCode } from './registry.errors';
import { RevisionsService } from './revisions.service';

/** Agents: each created with its baseline config as its first (stable) revision. */
@Injectable()
export class AgentsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly revisions: RevisionsService,
    private readonly publisher: ConfigChangePublisher,
  ) {}

  /** The agent and its baseline revision in one transaction, then `config.changed` (receivers learn of it at once). */
  async createAgent(request: CreateAgentRequest, createdBy: string): Promise<CreateAgentResponse> {
    const revision = await this.prisma
      .$transaction(async (tx) => {
        await tx.agent.create({
          data: { id: request.agent_id, name: request.name ?? request.agent_id, environment: request.environment },
        });
        const baseline = await this.revisions.createRevision(
          request.agent_id,
          null,
          request.config,
          null,
          null,
          createdBy,
          tx,
        );
        await tx.agent.update({ where: { id: request.agent_id }, data: { stableRevisionId: baseline.revision_id } });
        return baseline;
      })
      .catch((error: unknown) => {
        throw prismaCode(error) === 'P2002' ? new AgentExistsError(request.agent_id) : error;
      });
    await this.publisher.publishAgentChanged(request.agent_id, 'agent_created');
    return { agent_id: request.agent_id, revision_id: revision.revision_id };
  }

  async getAgent(agentId: string): Promise<AgentResponse> {
    const agent = await this.prisma.agent.findUnique({ where: { id: agentId } });
    if (!agent) throw new AgentNotFoundError(agentId);
    const [response] = await this.withRollouts([agent]);
    return response!;
  }

  /** By agent id. */
  async listAgents(query: AgentListQuery): Promise<AgentListResponse> {
    const after = query.cursor ? decodeCursor(query.cursor, CURSOR_KEYS.agentId)[0] : undefined;
    const rows = await this.prisma.agent.findMany({
      where: {
        ...(query.environment && { environment: query.environment }),
        ...(after !== undefined && { id: { gt: after } }),
      },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    const page = pageOf(
      rows,
      query.limit,
      (row) => row,
      (row) => [row.id],
    );
    return { items: await this.withRollouts(page.items), next_cursor: page.next_cursor };
  }

  private async withRollouts(agents: Agent[]): Promise<AgentResponse[]> {
    const rolloutIds = agents.map((agent) => agent.activeRolloutId).filter((id): id is string => id !== null);
    const rollouts =
      rolloutIds.length > 0 ? await this.prisma.rollout.findMany({ where: { id: { in: rolloutIds } } }) : [];
    const byId = new Map(rollouts.map((rollout) => [rollout.id, rollout]));
    return agents.map((agent) =>
      toAgentResponse(agent, agent.activeRolloutId ? byId.get(agent.activeRolloutId) : undefined),
    );
  }
}

function toAgentResponse(agent: Agent, rollout: Rollout | undefined): AgentResponse {
  return {
    agent_id: agent.id,
    name: agent.name,
    environment: agent.environment,
    stable_revision_id: agent.stableRevisionId,
    active_rollout: rollout
      ? {
          rollout_id: rollout.id,
          status: rollout.status,
          weight_bp: rollout.weightBp,
          weight: rollout.weightBp / 100,
          stable_revision_id: rollout.stableRevisionId,
          candidate_revision_id: rollout.candidateRevisionId,
          mutation_type: rollout.mutationType,
        }
      : null,
    created_at: agent.createdAt.toISOString(),
  };
}
