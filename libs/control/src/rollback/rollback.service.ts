import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, type Prisma, type Rollout } from '@metaloop/db';
import {
  ACTIVE_ROLLOUT_STATUSES,
  JOBS,
  QUEUES,
  type RevertAdapterJob,
  type RollbackReason,
  type RollbackRequest,
  type RollbackResult,
  type RollbackTrigger,
  type RolloutView,
  revertJobOptions,
} from '@metaloop/contracts';
import { traceField } from '@metaloop/observability/tracing';
import { LiveConfigStore } from '@metaloop/registry';
import type { Queue } from 'bullmq';
import { REVERT, ROLLOUT } from '../lifecycle/lifecycle-states';
import { RolloutLifecycle, type RolloutEnding } from '../lifecycle/rollout-lifecycle.service';
import { rolloutView } from '../rollouts/rollout-view';
import { RolloutAlreadyFinished, RollbackTargetNotFoundError } from './rollback.errors';
import { RolloutMetrics } from '../rollouts/rollout.metrics';

export interface RollbackCause {
  reason: RollbackReason;
  trigger: RollbackTrigger;
  /** `system:orchestrator`, `api_key:<id>`, … */
  actor: string;
  /** Why, in words: the rollout's status_reason and the decision's reason. */
  detail: string;
  /** The evidence (the monitor's look), kept with the decision and the audit entry. */
  statistics?: Prisma.InputJsonValue;
  /** When the cause began (the monitor's last healthy look); time to rollback counts from it, else from the call. */
  since?: Date;
}

/**
 * Why a challenger was retired (the champion kept; not a rollback for harm): shown unable to reach
 * the promotion lift, inconclusive when its time ran out (`on_inconclusive: retire`), or paused
 * longer than `canary.paused_max_minutes` with nobody deciding.
 */
export const RETIRE_REASONS = ['futility', 'inconclusive', 'paused_expired'] as const;
export type RetireReason = (typeof RETIRE_REASONS)[number];

export interface RetireCause {
  reason: RetireReason;
  actor: string;
  detail: string;
  statistics?: Prisma.InputJsonValue;
}

/** How long a rollback waits for Redis to take the revert job; the orchestrator's reconciler finds it otherwise. */
const QUEUE_TIMEOUT_MS = 1_000;

/**
 * Rolling a rollout back, the same way from the orchestrator's monitor and from oracle-api's
 * operators: routing flips back to stable first, in one transaction through
 * changeLiveConfig (rollout rolled_back at weight 0, agent released, revert pending when the
 * adapter made side effects, the decision, the audit entry, the plan settled), then
 * `config.changed`, then the adapter revert is queued. Works without the orchestrator:
 * a revert left pending is picked up when it is back. Retiring a challenger that is not better
 * is the same flip, ending as `retired` (and counted as such, not as a rollback).
 */
@Injectable()
export class RollbackService {
  private readonly logger = new Logger(RollbackService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly liveConfig: LiveConfigStore,
    private readonly lifecycle: RolloutLifecycle,
    private readonly metrics: RolloutMetrics,
    @InjectQueue(QUEUES.reverts) private readonly reverts: Queue<RevertAdapterJob>,
  ) {}

  /** Rolls one rollout back; null when it had finished already (then nothing changes). */
  async rollBack(rolloutId: string, cause: RollbackCause): Promise<RolloutView | null> {
    const calledAt = Date.now();
    const evidence = {
      reason: cause.reason,
      trigger: cause.trigger,
      ...(cause.statistics ? { statistics: cause.statistics } : {}),
    };
    const ending: RolloutEnding = { status: ROLLOUT.rolled_back, actor: cause.actor, detail: cause.detail, evidence };
    const row = await this.end(rolloutId, `rollback_${cause.reason}`, ending);
    if (!row) return null;
    this.metrics.rollbacks.inc({ agent_id: row.agentId, reason: cause.reason, trigger: cause.trigger });
    this.metrics.mutations.inc({ mutation_type: row.mutationType, result: 'rolled_back' });
    this.metrics.duration.observe(
      { trigger: cause.trigger },
      (Date.now() - (cause.since?.getTime() ?? calledAt)) / 1000,
    );
    return rolloutView(row);
  }

  /**
   * Retires a challenger that is not better (seed 001: keep the champion): the same flip back to
   * stable as a rollback, ending as `retired` (mutation `retired`, decision `retire`, audit
   * `rollout.retired`); null when the rollout had finished already.
   */
  async retire(rolloutId: string, cause: RetireCause): Promise<RolloutView | null> {
    const evidence = { reason: cause.reason, ...(cause.statistics ? { statistics: cause.statistics } : {}) };
    const row = await this.end(rolloutId, `retired_${cause.reason}`, {
      status: ROLLOUT.retired,
      actor: cause.actor,
      detail: cause.detail,
      evidence,
    });
    if (!row) return null;
    this.metrics.mutations.inc({ mutation_type: row.mutationType, result: 'retired' });
    return rolloutView(row);
  }

  /** Routing back to stable (changeLiveConfig, then `config.changed`), then the revert queued; null when already finished. */
  private async end(rolloutId: string, changeReason: string, ending: RolloutEnding): Promise<Rollout | null> {
    const target = await this.prisma.rollout.findUnique({ where: { id: rolloutId }, select: { agentId: true } });
    if (!target) throw new RollbackTargetNotFoundError(`rollout ${rolloutId} does not exist`);
    let row: Rollout;
    try {
      ({ result: row } = await this.liveConfig.changeLiveConfig(target.agentId, changeReason, (tx) =>
        this.flip(tx, rolloutId, ending),
      ));
    } catch (error) {
      if (error instanceof RolloutAlreadyFinished) return null;
      throw error;
    }
    if (row.revertStatus === REVERT.pending) await this.queueRevert(row.id);
    return row;
  }

  /** Every rollout in progress (e.g. a freeze with `in_flight: rollback`). */
  async rollBackAll(cause: RollbackCause): Promise<RolloutView[]> {
    const active = await this.prisma.rollout.findMany({
      where: { status: { in: [...ACTIVE_ROLLOUT_STATUSES] } },
      select: { id: true },
    });
    const done = await Promise.all(active.map(({ id }) => this.rollBack(id, cause)));
    return done.filter((view): view is RolloutView => view !== null);
  }

  /** `POST /api/v1/oracle/rollback`: by rollback_key, rollout id, agent or all; a selector naming nothing is a 404. */
  async rollBackRequested(request: RollbackRequest, actor: string): Promise<RollbackResult> {
    const reason: RollbackReason = request.emergency ? 'emergency' : 'manual';
    const cause: RollbackCause = {
      reason,
      trigger: 'operator',
      actor,
      detail: request.reason ?? `${reason} rollback by ${actor}`,
      statistics: { emergency: request.emergency, request: request as unknown as Prisma.InputJsonValue },
    };
    const targets = await this.targets(request);
    const outcomes = await Promise.all(targets.map(async (id) => ({ id, view: await this.rollBack(id, cause) })));
    return {
      rolled_back: outcomes.flatMap((o) => (o.view ? [o.view] : [])),
      already_finished: outcomes.filter((o) => !o.view).map((o) => o.id),
    };
  }

  private async targets(request: RollbackRequest): Promise<string[]> {
    if (request.all) {
      return (
        await this.prisma.rollout.findMany({
          where: { status: { in: [...ACTIVE_ROLLOUT_STATUSES] } },
          select: { id: true },
        })
      ).map((r) => r.id);
    }
    if (request.agent_id) {
      const agent = await this.prisma.agent.findUnique({ where: { id: request.agent_id }, select: { id: true } });
      if (!agent) throw new RollbackTargetNotFoundError(`agent "${request.agent_id}" is not registered`);
      const active = await this.prisma.rollout.findMany({
        where: { agentId: agent.id, status: { in: [...ACTIVE_ROLLOUT_STATUSES] } },
        select: { id: true },
      });
      return active.map((r) => r.id);
    }
    const found = request.rollback_key
      ? await this.prisma.rollout.findUnique({ where: { rollbackKey: request.rollback_key }, select: { id: true } })
      : await this.prisma.rollout.findUnique({ where: { id: request.rollout_id! }, select: { id: true } });
    if (!found)
      throw new RollbackTargetNotFoundError(
        request.rollback_key
          ? `no rollout has rollback_key "${request.rollback_key}"`
          : `rollout ${request.rollout_id} does not exist`,
      );
    return [found.id];
  }

  /** The flip itself, inside changeLiveConfig's transaction (which bumps the agent's config version); a finished rollout aborts it, so nothing is announced. */
  private async flip(tx: Prisma.TransactionClient, rolloutId: string, ending: RolloutEnding): Promise<Rollout> {
    const row = await this.lifecycle.end(tx, rolloutId, ending);
    if (!row) throw new RolloutAlreadyFinished(rolloutId);
    return row;
  }

  /** Best effort: with Redis away the rollback still stands, and the orchestrator's reconciler queues the revert later. */
  private async queueRevert(rolloutId: string): Promise<void> {
    const queued = this.reverts.add(
      JOBS.revertAdapter,
      { rollout_id: rolloutId, ...traceField() },
      revertJobOptions(rolloutId),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not take the job within ${QUEUE_TIMEOUT_MS} ms`)),
        QUEUE_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([queued, timeout]);
    } catch (error) {
      queued.catch(() => undefined);
      this.logger.warn(
        `revert of rollout ${rolloutId} not queued (${(error as Error).message}); the orchestrator's reconciler will queue it`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
