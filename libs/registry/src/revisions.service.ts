import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type MutationType, type Revision } from '@metaloop/db';
import type {
  AgentConfig,
  AgentConfigInput,
  PageQuery,
  RevisionDiffResponse,
  RevisionListResponse,
  RevisionResponse,
} from '@metaloop/contracts';
import { diffConfigs, templateDiff } from './config-diff';
import { CURSOR_KEYS, decodeCursor, pageOf } from './page-cursor';
import { AgentNotFoundError, prismaCode, RevisionNotFoundError } from './registry.errors';
import { revisionIdentity } from './revision-identity';

type Db = Prisma.TransactionClient;

/**
 * Immutable, content-hashed agent configs. A mutation never edits one: it derives a new
 * revision from its parent, and deriving the same config again gives back the same revision.
 */
@Injectable()
export class RevisionsService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The revision of `config` for the agent, created with its parent and provenance unless it
   * exists already (idempotent by content hash: a retry, or a config identical to an earlier
   * one, returns that revision as it was first stored). The orchestrator's way to a candidate;
   * `db` is the caller's transaction when the revision must commit with something else.
   */
  async createRevision(
    agentId: string,
    parentId: string | null,
    config: AgentConfigInput | AgentConfig,
    mutationType: MutationType | null,
    changeSummary: Prisma.InputJsonValue | null,
    createdBy: string,
    db: Db = this.prisma,
  ): Promise<RevisionResponse> {
    const identity = revisionIdentity(agentId, config);
    const existing = await db.revision.findUnique({ where: { id: identity.revisionId } });
    if (existing) return toRevisionResponse(existing);
    if (parentId !== null) await this.revisionRow(db, agentId, parentId);
    try {
      const row = await db.revision.create({
        data: {
          id: identity.revisionId,
          agentId,
          parentId,
          configHash: identity.configHash,
          config: identity.config as Prisma.InputJsonValue,
          mutationType,
          changeSummary: changeSummary ?? Prisma.DbNull,
          createdBy,
        },
      });
      return toRevisionResponse(row);
    } catch (error) {
      const code = prismaCode(error);
      if (code === 'P2003') throw new AgentNotFoundError(agentId);
      // Stored meanwhile by a concurrent call with the same content: that one is ours too.
      if (code === 'P2002')
        return toRevisionResponse(await this.revisionRow(this.prisma, agentId, identity.revisionId));
      throw error;
    }
  }

  async getRevision(agentId: string, revisionId: string): Promise<RevisionResponse> {
    return toRevisionResponse(await this.revisionRow(this.prisma, agentId, revisionId));
  }

  /** Newest first. */
  async listRevisions(agentId: string, query: PageQuery): Promise<RevisionListResponse> {
    await this.assertAgent(this.prisma, agentId);
    const after = query.cursor ? decodeCursor(query.cursor, CURSOR_KEYS.createdAtAndId) : undefined;
    const rows = await this.prisma.revision.findMany({
      where: {
        agentId,
        ...(after && {
          OR: [{ createdAt: { lt: new Date(after[0]!) } }, { createdAt: new Date(after[0]!), id: { lt: after[1]! } }],
        }),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, toRevisionResponse, (row) => [row.createdAt.toISOString(), row.id]);
  }

  /** What changes from revision `fromId` to revision `toId`, path by path, and the prompt template line by line. */
  async diff(agentId: string, fromId: string, toId: string): Promise<RevisionDiffResponse> {
    const [from, to] = await Promise.all([
      this.revisionRow(this.prisma, agentId, fromId),
      this.revisionRow(this.prisma, agentId, toId),
    ]);
    const [before, after] = [from.config as AgentConfig, to.config as AgentConfig];
    return {
      agent_id: agentId,
      from_revision_id: fromId,
      to_revision_id: toId,
      changes: diffConfigs(before, after),
      prompt_template_diff:
        before.prompt.template === after.prompt.template
          ? null
          : templateDiff(before.prompt.template, after.prompt.template),
    };
  }

  private async revisionRow(db: Db, agentId: string, revisionId: string): Promise<Revision> {
    const row = await db.revision.findUnique({ where: { id: revisionId } });
    if (row?.agentId === agentId) return row;
    await this.assertAgent(db, agentId);
    throw new RevisionNotFoundError(agentId, revisionId);
  }

  private async assertAgent(db: Db, agentId: string): Promise<void> {
    if (!(await db.agent.findUnique({ where: { id: agentId }, select: { id: true } })))
      throw new AgentNotFoundError(agentId);
  }
}

function toRevisionResponse(row: Revision): RevisionResponse {
  return {
    revision_id: row.id,
    agent_id: row.agentId,
    parent_id: row.parentId,
    config_hash: row.configHash,
    config: row.config as AgentConfig,
    mutation_type: row.mutationType,
    change_summary: row.changeSummary,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}
