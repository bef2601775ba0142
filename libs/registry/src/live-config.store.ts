import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma } from '@metaloop/db';
import { LIVE_ROLLOUT_STATUSES, type AgentConfig, type ConfigChangedMessage } from '@metaloop/contracts';
import { ConfigChangePublisher } from './config-change.publisher';
import { type AgentLiveState, type LiveRollout } from './live-state';
import { AgentNotFoundError, prismaCode } from './registry.errors';

/** One query: the stable revision and the live rollout (with its candidate) of the agents asked for. */
const LIVE_STATE_SQL = `
  SELECT a.id AS agent_id, a.config_version AS version, a.updated_at,
         s.id AS stable_id, s.config AS stable_config,
         r.id::text AS rollout_id, r.status::text AS rollout_status, r.weight_bp,
         c.id AS candidate_id, c.config AS candidate_config
    FROM agents a
    JOIN revisions s ON s.id = a.stable_revision_id
    LEFT JOIN rollouts r ON r.id = a.active_rollout_id AND r.status::text = ANY($2::text[])
    LEFT JOIN revisions c ON c.id = r.candidate_revision_id
   WHERE $1::text[] IS NULL OR a.id = ANY($1::text[])`;

interface LiveStateRow {
  agent_id: string;
  version: number;
  updated_at: Date;
  stable_id: string;
  stable_config: AgentConfig;
  rollout_id: string | null;
  rollout_status: LiveRollout['status'] | null;
  weight_bp: number | null;
  candidate_id: string | null;
  candidate_config: AgentConfig | null;
}

export interface LiveConfigChange<T> {
  result: T;
  /** What was announced on `config.changed` (whether or not NATS took it). */
  message: ConfigChangedMessage;
}

/**
 * The live config of agents in Postgres: reading it (feedback-api's cache) and changing it.
 * Every change goes through changeLiveConfig, which bumps the agent's config version in the
 * same transaction and announces it on `config.changed` after the commit; that version is
 * how receivers tell new news from stale.
 */
@Injectable()
export class LiveConfigStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly publisher: ConfigChangePublisher,
  ) {}

  async loadLiveState(agentId: string): Promise<AgentLiveState | null> {
    const [state] = await this.loadLiveStates([agentId]);
    return state ?? null;
  }

  /** The live state of the given agents, or of every agent (one that has no stable revision serves nothing). */
  async loadLiveStates(agentIds?: readonly string[]): Promise<AgentLiveState[]> {
    const rows = await this.prisma.$queryRawUnsafe<LiveStateRow[]>(
      LIVE_STATE_SQL,
      agentIds ?? null,
      LIVE_ROLLOUT_STATUSES,
    );
    return rows.map(toLiveState);
  }

  /** Every agent's config version: what a periodic resync compares before it reloads anything. */
  async loadVersions(): Promise<Map<string, number>> {
    const rows = await this.prisma.agent.findMany({
      where: { stableRevisionId: { not: null } },
      select: { id: true, configVersion: true },
    });
    return new Map(rows.map((row) => [row.id, row.configVersion]));
  }

  /**
   * Runs `change` in a transaction that first bumps the agent's config version (locking its
   * row, so concurrent changes of one agent commit in version order), then announces the
   * new version. For rollout start, weight steps, promotion and rollback alike (libs/control's
   * RolloutLifecycle writes the rollout rows inside `change`).
   */
  async changeLiveConfig<T>(
    agentId: string,
    reason: string,
    change: (tx: Prisma.TransactionClient, version: number) => Promise<T>,
  ): Promise<LiveConfigChange<T>> {
    const { result, version } = await this.prisma.$transaction(async (tx) => {
      const bumped = await tx.agent
        .update({ where: { id: agentId }, data: { configVersion: { increment: 1 } }, select: { configVersion: true } })
        .catch((error: unknown) => {
          throw prismaCode(error) === 'P2025' ? new AgentNotFoundError(agentId) : error;
        });
      return { result: await change(tx, bumped.configVersion), version: bumped.configVersion };
    });
    const message: ConfigChangedMessage = { agent_id: agentId, version, reason, changed_at: new Date().toISOString() };
    await this.publisher.publish(message);
    return { result, message };
  }

  /**
   * Lets a rollout hold the agent, only while its stable revision is still `stableRevisionId`
   * and no other rollout holds it: false when either has moved (nothing written).
   */
  async holdForRollout(
    tx: Prisma.TransactionClient,
    agentId: string,
    stableRevisionId: string,
    rolloutId: string,
  ): Promise<boolean> {
    const { count } = await tx.agent.updateMany({
      where: { id: agentId, stableRevisionId, activeRolloutId: null },
      data: { activeRolloutId: rolloutId },
    });
    return count > 0;
  }

  /** Frees the agent if this rollout still holds it. */
  async releaseFromRollout(tx: Prisma.TransactionClient, agentId: string, rolloutId: string): Promise<void> {
    await tx.agent.updateMany({ where: { id: agentId, activeRolloutId: rolloutId }, data: { activeRolloutId: null } });
  }

  /** The promoted candidate becomes the stable revision, and the agent is free again. */
  async promoteToStable(tx: Prisma.TransactionClient, agentId: string, revisionId: string): Promise<void> {
    await tx.agent.update({ where: { id: agentId }, data: { stableRevisionId: revisionId, activeRolloutId: null } });
  }

  /** A revision an operator deploys becomes the stable one (no rollout holds the agent). */
  async setStableRevision(tx: Prisma.TransactionClient, agentId: string, revisionId: string): Promise<void> {
    await tx.agent.update({ where: { id: agentId }, data: { stableRevisionId: revisionId } });
  }
}

function toLiveState(row: LiveStateRow): AgentLiveState {
  const rollout: LiveRollout | null =
    row.rollout_id && row.rollout_status && row.candidate_id && row.candidate_config
      ? {
          rolloutId: row.rollout_id,
          status: row.rollout_status,
          weightBp: row.weight_bp ?? 0,
          candidate: { revisionId: row.candidate_id, config: row.candidate_config },
        }
      : null;
  return {
    agentId: row.agent_id,
    version: row.version,
    updatedAt: row.updated_at,
    stable: { revisionId: row.stable_id, config: row.stable_config },
    rollout,
  };
}
