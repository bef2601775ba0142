import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type MutationType, type Rollout } from '@metaloop/db';
import { activeTraceId } from '@metaloop/observability/tracing';
import type { ConfigChangedMessage } from '@metaloop/contracts';
import { ARM_BUCKETS, LiveConfigStore, RegistryInputError, RolloutNotFoundError } from '@metaloop/registry';
import { AuditLog, type AuditRecord } from '../audit/audit-log.service';
import {
  DECISION,
  MUTATION,
  REVERT,
  ROLLOUT,
  type DecisionAction,
  type RevertState,
  type RolloutState,
} from './lifecycle-states';
import { PlanLifecycle } from './plan-lifecycle.service';
import type { Tx } from './transaction';
import { allowedFrom, assertTransition } from './transitions';

type Json = Prisma.InputJsonValue;

/** A rollout about to be reserved: it starts `pending`, holding its agent. */
export interface RolloutDraft {
  id: string;
  agentId: string;
  planId: string;
  mutationId: string;
  mutationType: MutationType;
  /** The candidate's parent: the agent is claimed only while this is still its stable revision. */
  stableRevisionId: string;
  candidateRevisionId: string;
  steps: number[];
  rollbackKey: string;
  plannedEffects: Json;
}

/** The rollout as a look read it: its moves are conditional on it being just so still. */
export type LookedAt = Pick<Rollout, 'id' | 'agentId' | 'status' | 'stepIndex' | 'weightBp'>;

/** How routing flips back to stable: rolled back (harm, an operator) or retired (not better). */
export interface RolloutEnding {
  status: typeof ROLLOUT.rolled_back | typeof ROLLOUT.retired;
  actor: string;
  /** Why, in words: the status reason, the decision's reason and the audit entry's. */
  detail: string;
  evidence: Prisma.InputJsonObject;
}

const ENDINGS = {
  rolled_back: { action: DECISION.rollback, audit: 'rollout.rolled_back' },
  retired: { action: DECISION.retire, audit: 'rollout.retired' },
} as const;

interface Decision {
  stepIndex: number;
  weightBp: number;
  action: DecisionAction;
  reason: string;
  statistics: Json;
  actor: string;
}

/**
 * The only writer of rollout and rollout_decisions rows. Every status change is a compare-and-set
 * against what the transition table allows (or what the look read), written with its decision row
 * and audit entry, and with the agent, mutation and plan it carries, in one transaction: the
 * caller's when it also changes the live config (changeLiveConfig) or a budget reservation, else
 * its own. A lost compare-and-set writes nothing and answers false or null; the caller says why.
 */
@Injectable()
export class RolloutLifecycle {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditLog,
    private readonly plans: PlanLifecycle,
    private readonly liveConfig: LiveConfigStore,
  ) {}

  /**
   * Claims the agent (only while its stable revision is still the candidate's parent and no
   * rollout holds it) and creates the pending rollout, audited `rollout.created`; null when the
   * claim fails (nothing written).
   */
  async create(tx: Tx, draft: RolloutDraft, actor: string): Promise<Rollout | null> {
    const held = await this.liveConfig.holdForRollout(tx, draft.agentId, draft.stableRevisionId, draft.id);
    if (!held) return null;
    const rollout = await tx.rollout.create({ data: { ...draft, status: ROLLOUT.pending } });
    await this.audit.record(
      {
        actor,
        action: 'rollout.created',
        entityType: 'rollout',
        entityId: draft.id,
        agentId: draft.agentId,
        details: {
          plan_id: draft.planId,
          mutation_id: draft.mutationId,
          mutation_type: draft.mutationType,
          candidate_revision_id: draft.candidateRevisionId,
          rollback_key: rollout.rollbackKey,
          steps: draft.steps,
        },
      },
      tx,
    );
    return rollout;
  }

  /** The adapter's progress on a rollout still pending; false once it is not (cancelled meanwhile). */
  async checkpointPending(rolloutId: string, adapterState: object): Promise<boolean> {
    const { count } = await this.prisma.rollout.updateMany({
      where: { id: rolloutId, status: ROLLOUT.pending },
      data: { adapterState: adapterState },
    });
    return count > 0;
  }

  /**
   * pending → running at the first step, in changeLiveConfig's transaction: the mutation applied,
   * the `start` decision and `rollout.started`; false when it is no longer pending.
   */
  async start(
    tx: Tx,
    rollout: Pick<Rollout, 'id' | 'agentId' | 'steps'>,
    start: { mutationId: string; at: Date; evidenceFrom: Date; adapterState: object; evidence: Json },
    actor: string,
  ): Promise<boolean> {
    const weightBp = Math.round(rollout.steps[0] * 100);
    const { count } = await this.compareAndSet(tx, rollout.id, ROLLOUT.pending, ROLLOUT.running, {
      weightBp,
      stepIndex: 0,
      startedAt: start.at,
      evidenceFrom: start.evidenceFrom,
      stepStartedAt: start.at,
      adapterState: start.adapterState,
    });
    if (count === 0) return false;
    await this.plans.setMutationStatus(tx, start.mutationId, MUTATION.applied);
    await this.decide(
      tx,
      rollout.id,
      {
        stepIndex: 0,
        weightBp,
        action: DECISION.start,
        reason: `canary started at ${rollout.steps[0]} %`,
        statistics: start.evidence,
        actor,
      },
      {
        actor,
        action: 'rollout.started',
        entityType: 'rollout',
        entityId: rollout.id,
        agentId: rollout.agentId,
        reason: `canary at ${rollout.steps[0]} %`,
        details: start.evidence,
      },
    );
    return true;
  }

  /**
   * pending → failed before it ever served: the agent released, the mutation failed, the plan
   * settled, audited `rollout.failed`; false when it is no longer pending.
   */
  async failPending(
    rollout: Pick<Rollout, 'id' | 'agentId' | 'planId'>,
    mutationId: string,
    failure: { reason: string; revertStatus: RevertState; adapterState: object | null },
    actor: string,
  ): Promise<boolean> {
    const { reason, revertStatus, adapterState } = failure;
    return this.prisma.$transaction(async (tx) => {
      const { count } = await this.compareAndSet(tx, rollout.id, ROLLOUT.pending, ROLLOUT.failed, {
        finishedAt: new Date(),
        statusReason: reason,
        revertStatus,
        ...(adapterState && { adapterState: adapterState }),
      });
      if (count === 0) return false;
      await this.releaseAgent(tx, rollout);
      await this.plans.setMutationStatus(tx, mutationId, MUTATION.failed);
      await this.audit.record(
        {
          actor,
          action: 'rollout.failed',
          entityType: 'rollout',
          entityId: rollout.id,
          agentId: rollout.agentId,
          reason,
          details: { revert_status: revertStatus },
        },
        tx,
      );
      await this.plans.settle(tx, rollout.planId, actor);
      return true;
    });
  }

  /**
   * A plan's execution given up: its pending rollouts failed (agents released; the revert pending
   * when side effects were made), its unfinished mutations without a live canary failed, audited
   * `plan.gave_up`, the plan settled. `onRolloutFailed` counts each failed rollout.
   */
  async giveUpPlan(
    planId: string,
    reason: string,
    actor: string,
    onRolloutFailed: (rollout: { mutationType: MutationType }) => void,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const pending = await tx.rollout.findMany({
        where: { planId, status: ROLLOUT.pending },
        select: { id: true, agentId: true, adapterState: true, mutationType: true },
      });
      assertTransition('rollout', [ROLLOUT.pending], ROLLOUT.failed);
      for (const rollout of pending) {
        const effects = (rollout.adapterState as { effects?: unknown[] } | null)?.effects?.length ?? 0;
        // By id: read as pending in this transaction.
        await tx.rollout.update({
          where: { id: rollout.id },
          data: {
            status: ROLLOUT.failed,
            finishedAt: new Date(),
            statusReason: reason,
            revertStatus: effects > 0 ? REVERT.pending : REVERT.not_needed,
          },
        });
        await this.releaseAgent(tx, rollout);
        onRolloutFailed(rollout);
      }
      await this.plans.failUnfinishedMutations(tx, planId);
      await this.audit.record({ actor, action: 'plan.gave_up', entityType: 'plan', entityId: planId, reason }, tx);
      await this.plans.settle(tx, planId, actor);
    });
  }

  /**
   * running → promoted at full weight from the step the look read, in changeLiveConfig's
   * transaction: the candidate becomes the agent's stable revision, the mutation promoted, the
   * `promote` decision, `rollout.promoted` (champion, challenger, score), the plan's findings about
   * the agent resolved, the plan settled. Answers the promoted row; null when the rollout moved.
   */
  async promote(tx: Tx, rollout: Rollout, reason: string, statistics: Json, actor: string): Promise<Rollout | null> {
    const { count } = await this.compareAndSet(
      tx,
      rollout.id,
      ROLLOUT.running,
      ROLLOUT.promoted,
      { weightBp: 10_000, stepIndex: rollout.steps.length - 1, finishedAt: new Date(), statusReason: reason },
      rollout.stepIndex,
    );
    if (count === 0) return null;
    await this.liveConfig.promoteToStable(tx, rollout.agentId, rollout.candidateRevisionId);
    if (rollout.mutationId) await this.plans.setMutationStatus(tx, rollout.mutationId, MUTATION.promoted);
    const score = (statistics as { score?: Json }).score ?? null;
    await this.decide(
      tx,
      rollout.id,
      { stepIndex: rollout.stepIndex, weightBp: rollout.weightBp, action: DECISION.promote, reason, statistics, actor },
      {
        actor,
        action: 'rollout.promoted',
        entityType: 'rollout',
        entityId: rollout.id,
        agentId: rollout.agentId,
        reason,
        details: {
          champion_revision_id: rollout.stableRevisionId,
          challenger_revision_id: rollout.candidateRevisionId,
          score,
          statistics,
        },
      },
    );
    await resolveFindings(tx, rollout);
    await this.plans.settle(tx, rollout.planId, actor);
    return tx.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
  }

  /** The next canary step, in changeLiveConfig's transaction, with its `advance` decision and `rollout.advanced`; false when the rollout moved since the look. */
  async advance(
    tx: Tx,
    rollout: LookedAt & Pick<Rollout, 'steps'>,
    toStep: number,
    at: Date,
    reason: string,
    statistics: Json,
    actor: string,
  ): Promise<boolean> {
    const data = { stepIndex: toStep, weightBp: Math.round(rollout.steps[toStep] * 100), stepStartedAt: at };
    return this.changeLive(tx, rollout, rollout.status, data, {
      action: DECISION.advance,
      audit: 'rollout.advanced',
      reason,
      statistics,
      actor,
    });
  }

  /** Paused for a person (keeping its weight, so sessions keep their arm), with its `pause` decision and `rollout.paused`; false when the rollout moved since the look. */
  async pause(tx: Tx, rollout: LookedAt, reason: string, statistics: Json, actor: string): Promise<boolean> {
    return this.changeLive(
      tx,
      rollout,
      ROLLOUT.paused,
      { statusReason: reason },
      { action: DECISION.pause, audit: 'rollout.paused', reason, statistics, actor },
    );
  }

  /** A look that changes nothing (hold, inconclusive): only its decision row, if the rollout is still as read; false when it is not. */
  async recordLook(
    rollout: LookedAt,
    action: DecisionAction,
    reason: string,
    statistics: Json,
    actor: string,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await this.compareAndSet(
        tx,
        rollout.id,
        rollout.status,
        rollout.status,
        { updatedAt: new Date() },
        rollout.stepIndex,
      );
      if (count === 0) return false;
      await this.decide(tx, rollout.id, {
        stepIndex: rollout.stepIndex,
        weightBp: rollout.weightBp,
        action,
        reason,
        statistics,
        actor,
      });
      return true;
    });
  }

  /**
   * Routing back to stable, in changeLiveConfig's transaction: rolled back or retired at weight 0
   * from any active state, the revert pending when the adapter made side effects, the agent
   * released, the mutation ended alike, the decision, the audit entry, the plan settled. Answers the
   * ended row; null when the rollout had finished already (nothing written).
   */
  async end(tx: Tx, rolloutId: string, ending: RolloutEnding): Promise<Rollout | null> {
    const from = Prisma.join(
      allowedFrom('rollout', ending.status).map((status) => Prisma.sql`${status}::"RolloutStatus"`),
    );
    // One statement: a concurrent checkpoint of the adapter's state cannot slip between reading
    // whether side effects exist and marking the revert.
    const [flipped] = await tx.$queryRaw<Array<{ weight_before: number; step_index: number }>>`
      WITH before AS (SELECT id, weight_bp FROM rollouts WHERE id = ${rolloutId}::uuid AND status IN (${from}) FOR UPDATE)
      UPDATE rollouts r
         SET status = ${ending.status}::"RolloutStatus", weight_bp = 0, finished_at = now(), updated_at = now(), status_reason = ${ending.detail},
             revert_status = CASE WHEN jsonb_array_length(COALESCE(r.adapter_state -> 'effects', '[]'::jsonb)) > 0
                                  THEN 'pending'::"RevertStatus" ELSE 'not_needed'::"RevertStatus" END
        FROM before
       WHERE r.id = before.id
      RETURNING before.weight_bp AS weight_before, r.step_index`;
    if (!flipped) return null;
    const row = await tx.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
    await this.releaseAgent(tx, row);
    if (row.mutationId) await this.plans.setMutationStatus(tx, row.mutationId, ending.status);
    const { actor, detail, evidence } = ending;
    const { action, audit } = ENDINGS[ending.status];
    await this.decide(
      tx,
      rolloutId,
      {
        stepIndex: flipped.step_index,
        weightBp: flipped.weight_before,
        action,
        reason: detail,
        statistics: evidence,
        actor,
      },
      {
        actor,
        action: audit,
        entityType: 'rollout',
        entityId: rolloutId,
        agentId: row.agentId,
        reason: detail,
        details: { ...evidence, revert_status: row.revertStatus },
      },
    );
    await this.plans.settle(tx, row.planId, actor);
    return row;
  }

  /** The adapter's progress on promote-phase side effects (the rollout has finished: no status guard). */
  async saveAdapterState(rolloutId: string, adapterState: object): Promise<void> {
    await this.prisma.rollout.update({ where: { id: rolloutId }, data: { adapterState: adapterState } });
  }

  /** Why a finished rollout still needs attention (e.g. promotion side effects pending). */
  async noteStatusReason(rolloutId: string, statusReason: string): Promise<void> {
    await this.prisma.rollout.update({ where: { id: rolloutId }, data: { statusReason } });
  }

  /** The adapter revert succeeded on attempt `attempts`, audited `rollout.reverted`. */
  async revertDone(
    rollout: Pick<Rollout, 'id' | 'agentId'>,
    attempts: number,
    undone: Json,
    actor: string,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.rollout.update({
        where: { id: rollout.id },
        data: { revertStatus: REVERT.done, revertAttempts: attempts, revertError: null },
      });
      await this.audit.record(
        {
          actor,
          action: 'rollout.reverted',
          entityType: 'rollout',
          entityId: rollout.id,
          agentId: rollout.agentId,
          details: { attempts, undone },
        },
        tx,
      );
    });
  }

  /** The adapter revert failed: pending for another attempt, or `failed` for a person (`giveUp`, audited `rollout.revert_failed`). */
  async revertFailed(
    rollout: Pick<Rollout, 'id' | 'agentId'>,
    attempts: number,
    error: { message: string; code: string },
    giveUp: boolean,
    actor: string,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.rollout.update({
        where: { id: rollout.id },
        data: {
          revertStatus: giveUp ? REVERT.failed : REVERT.pending,
          revertAttempts: attempts,
          revertError: error.message,
        },
      });
      if (giveUp) {
        await this.audit.record(
          {
            actor,
            action: 'rollout.revert_failed',
            entityType: 'rollout',
            entityId: rollout.id,
            agentId: rollout.agentId,
            reason: error.message,
            details: { attempts, code: error.code },
          },
          tx,
        );
      }
    });
  }

  /** Sets a rollout's canary share (basis points, 0–10,000) through changeLiveConfig, which bumps the agent's config version and announces it. */
  async setWeight(rolloutId: string, weightBp: number, reason = 'rollout_weight'): Promise<ConfigChangedMessage> {
    if (!Number.isInteger(weightBp) || weightBp < 0 || weightBp > ARM_BUCKETS) {
      throw new RegistryInputError(`weight_bp: expected an integer from 0 to ${ARM_BUCKETS}, got ${weightBp}`);
    }
    const rollout = await this.prisma.rollout
      .findUnique({ where: { id: rolloutId }, select: { agentId: true } })
      .catch((error: unknown) => {
        if ((error as { code?: unknown } | null)?.code === 'P2007') return null; // not a UUID: no such rollout either
        throw error;
      });
    if (!rollout) throw new RolloutNotFoundError(rolloutId);
    const { message } = await this.liveConfig.changeLiveConfig(rollout.agentId, reason, (tx) =>
      tx.rollout.update({ where: { id: rolloutId }, data: { weightBp }, select: { id: true } }),
    );
    return message;
  }

  /** A step or status change of a running or paused rollout (changeLiveConfig's transaction), conditional on the look. */
  private async changeLive(
    tx: Tx,
    rollout: LookedAt,
    to: RolloutState,
    data: Prisma.RolloutUpdateManyMutationInput,
    decision: { action: DecisionAction; audit: string; reason: string; statistics: Json; actor: string },
  ): Promise<boolean> {
    const { count } = await this.compareAndSet(tx, rollout.id, rollout.status, to, data, rollout.stepIndex);
    if (count === 0) return false;
    const { action, audit, reason, statistics, actor } = decision;
    await this.decide(
      tx,
      rollout.id,
      { stepIndex: rollout.stepIndex, weightBp: rollout.weightBp, action, reason, statistics, actor },
      {
        actor,
        action: audit,
        entityType: 'rollout',
        entityId: rollout.id,
        agentId: rollout.agentId,
        reason,
        details: statistics,
      },
    );
    return true;
  }

  /** `from` → `to` only if the row is still `from` (and, for a look, still at the step it read). */
  private compareAndSet(
    tx: Tx,
    rolloutId: string,
    from: RolloutState,
    to: RolloutState,
    data: Prisma.RolloutUpdateManyMutationInput,
    stepIndex?: number,
  ) {
    assertTransition('rollout', [from], to);
    return tx.rollout.updateMany({
      where: { id: rolloutId, status: from, ...(stepIndex === undefined ? {} : { stepIndex }) },
      data: from === to ? data : { status: to, ...data },
    });
  }

  private async releaseAgent(tx: Tx, rollout: { id: string; agentId: string }): Promise<void> {
    await this.liveConfig.releaseFromRollout(tx, rollout.agentId, rollout.id);
  }

  /** The decision row (naming the trace that made it, when traced), then (for a move) its audit entry. */
  private async decide(tx: Tx, rolloutId: string, decision: Decision, audit?: AuditRecord): Promise<void> {
    await tx.rolloutDecision.create({ data: { rolloutId, ...decision, statistics: withTraceId(decision.statistics) } });
    if (audit) await this.audit.record(audit, tx);
  }
}

/** A promotion answers the plan's findings about its agent. */
async function resolveFindings(tx: Tx, rollout: Rollout): Promise<void> {
  if (!rollout.planId) return;
  const plan = await tx.plan.findUnique({ where: { id: rollout.planId }, select: { findingIds: true } });
  if (!plan?.findingIds.length) return;
  await tx.finding.updateMany({
    where: { id: { in: plan.findingIds }, agentId: rollout.agentId, status: { in: ['open', 'planned'] } },
    data: { status: 'resolved', resolvedAt: new Date() },
  });
}

/** A decision's statistics carry `trace_id` (the active trace) when tracing is on and they are an object. */
function withTraceId(statistics: Json): Json {
  const traceId = activeTraceId();
  if (!traceId || typeof statistics !== 'object' || statistics === null || Array.isArray(statistics)) return statistics;
  return { ...(statistics as Prisma.InputJsonObject), trace_id: traceId };
}
