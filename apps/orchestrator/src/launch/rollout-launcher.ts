import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ADAPTER_SET,
  AdapterError,
  type AdapterSet,
  type AdapterState,
  type MutationAdapter,
  type Prepared,
} from '@metaloop/adapters';
import {
  budgetLimitsFromPolicy,
  FINISHED_MUTATION_STATUSES,
  FreezeControl,
  MUTATION,
  MutationBudget,
  PlanLifecycle,
  REVERT,
  ROLLOUT,
  RolloutLifecycle,
  RolloutMetrics,
  type MutationState,
  type RolloutState,
} from '@metaloop/control';
import { Prisma, PrismaService, type Mutation, type Plan, type Rollout } from '@metaloop/db';
import { inSpan, traceField } from '@metaloop/observability/tracing';
import { JOBS, LIVE_ROLLOUT_STATUSES, QUEUES, type RevertAdapterJob, revertJobOptions } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { PolicyStore } from '@metaloop/policies';
import { LiveConfigStore, RevisionsService } from '@metaloop/registry';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { AdapterContexts } from '../common/adapter-contexts';
import { MonitorSchedules } from '../monitor/monitor-schedules';
import { RolloutCancelledError, StableMovedError, VerifyFailedError } from './launch-errors';

export interface LaunchResult {
  mutation_id: string;
  agent_id: string;
  /** started: its canary runs; refused: budget or freeze; failed: prepare, apply or verify; earlier: settled by an earlier run of the job. */
  outcome: 'started' | 'refused' | 'failed' | 'earlier';
  rollout_id: string | null;
  rollback_key: string | null;
  reason: string | null;
}

const MINUTE_MS = 60_000;

/**
 * Starts one mutation's canary: freeze check → adapter.prepare from the agent's stable config →
 * candidate revision → budget reservation (creates the pending rollout and claims the agent) →
 * adapter.apply, checkpointing into `adapter_state` → verify → running at the first step
 * (changeLiveConfig) → monitor scheduled. Run again (a retried job, a crash in between) it
 * resumes from the rollout row. A failure after the reservation fails the rollout, releases
 * the agent and queues the revert of whatever was applied.
 */
@Injectable()
export class RolloutLauncher {
  private readonly logger = new Logger(RolloutLauncher.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly freeze: FreezeControl,
    private readonly budget: MutationBudget,
    private readonly revisions: RevisionsService,
    private readonly liveConfig: LiveConfigStore,
    private readonly contexts: AdapterContexts,
    private readonly schedules: MonitorSchedules,
    private readonly plans: PlanLifecycle,
    private readonly rollouts: RolloutLifecycle,
    private readonly metrics: RolloutMetrics,
    @Inject(ADAPTER_SET) private readonly adapters: AdapterSet,
    @InjectQueue(QUEUES.reverts) private readonly reverts: Queue<RevertAdapterJob>,
  ) {}

  /** Traced as `rollout launch`, with the adapter's apply and verify and the start as child spans. */
  launch(plan: Plan, mutation: Mutation, actor: string): Promise<LaunchResult> {
    const attributes = {
      'metaloop.mutation_id': mutation.id,
      'metaloop.mutation_type': mutation.type,
      'metaloop.agent_id': mutation.agentId,
    };
    return inSpan('rollout launch', { attributes }, async (span) => {
      const launched = await this.launchOnce(plan, mutation, actor);
      span?.setAttributes({
        'metaloop.launch_outcome': launched.outcome,
        'metaloop.rollout_id': launched.rollout_id ?? '',
      });
      return launched;
    });
  }

  private async launchOnce(plan: Plan, mutation: Mutation, actor: string): Promise<LaunchResult> {
    const result = (
      outcome: LaunchResult['outcome'],
      rollout: Pick<Rollout, 'id' | 'rollbackKey'> | null,
      reason: string | null,
    ): LaunchResult => ({
      mutation_id: mutation.id,
      agent_id: mutation.agentId,
      outcome,
      rollout_id: rollout?.id ?? null,
      rollback_key: rollout?.rollbackKey ?? null,
      reason,
    });
    const existing = await this.prisma.rollout.findFirst({
      where: { mutationId: mutation.id },
      orderBy: { createdAt: 'desc' },
    });
    if (existing && existing.status !== ROLLOUT.pending) {
      if (isLive(existing.status)) await this.scheduleMonitor(existing.id);
      return result('earlier', existing, existing.statusReason);
    }
    if (!existing && (FINISHED_MUTATION_STATUSES as readonly MutationState[]).includes(mutation.status))
      return result('earlier', null, `mutation is ${mutation.status}`);

    let rollout: Rollout;
    if (existing) {
      rollout = existing;
    } else {
      const created = await this.reserve(plan, mutation, actor);
      if ('refused' in created) return result(created.outcome, null, created.refused);
      rollout = created.rollout;
    }
    const adapter = this.adapters[mutation.type] as MutationAdapter;
    const ctx = await this.contexts.forRollout(rollout);
    let state: AdapterState | null = null;
    try {
      // prepare is pure: from the same stable revision it derives the same candidate again.
      const prepared = adapter.prepare(ctx, mutation.params);
      const effects = { 'metaloop.side_effects': prepared.side_effects.length };
      state = await inSpan(`adapter apply ${mutation.type}`, { attributes: effects }, () =>
        adapter.apply(ctx, prepared, (next) => this.checkpoint(rollout.id, (state = next))),
      );
      const applied = state;
      const verified = await inSpan(`adapter verify ${mutation.type}`, {}, () =>
        adapter.verify(ctx, prepared, applied),
      );
      if (!verified.ok) throw new VerifyFailedError(verified.checks);
      await inSpan('rollout start', { attributes: { 'metaloop.rollout_id': rollout.id } }, () =>
        this.start(rollout, mutation, applied, verified.checks, actor),
      );
    } catch (error) {
      if (error instanceof RolloutCancelledError) return result('failed', rollout, error.message);
      if (!(error instanceof AdapterError || error instanceof VerifyFailedError)) throw error; // passing: the job retries
      await this.failRollout(
        rollout,
        mutation,
        error instanceof AdapterError ? (error.state ?? state) : state,
        `${mutation.type} ${error.message}`,
        actor,
      );
      return result('failed', rollout, error.message);
    }
    await this.scheduleMonitor(rollout.id);
    this.metrics.mutations.inc({ mutation_type: mutation.type, result: 'started' });
    return result('started', rollout, null);
  }

  /** Everything up to the pending rollout; a refusal (freeze, budget, adapter) settles the mutation. */
  private async reserve(
    plan: Plan,
    mutation: Mutation,
    actor: string,
  ): Promise<{ rollout: Rollout } | { outcome: 'refused' | 'failed'; refused: string }> {
    const { policy } = this.policies.current();
    const frozen = policy.freeze.frozen || (await this.freeze.state()).frozen;
    if (frozen) return this.settleUnstarted(mutation, MUTATION.skipped, 'frozen: no new rollouts start', actor);
    const rolloutId = uuidv7();
    const ctx = await this.contexts.forAgent(mutation.agentId, rolloutId);
    if (!ctx)
      return this.settleUnstarted(
        mutation,
        MUTATION.failed,
        `agent ${mutation.agentId} is not registered or has no stable revision`,
        actor,
      );
    const adapter = this.adapters[mutation.type] as MutationAdapter;
    let prepared: Prepared;
    try {
      prepared = adapter.prepare(ctx, mutation.params);
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
      return this.settleUnstarted(mutation, MUTATION.failed, `${mutation.type} prepare: ${error.message}`, actor);
    }
    const candidate = await this.revisions.createRevision(
      mutation.agentId,
      ctx.parentRevisionId,
      prepared.config,
      mutation.type,
      prepared.summary as unknown as Prisma.InputJsonValue,
      actor,
    );
    const reserve = this.budget.reserve(
      budgetLimitsFromPolicy(policy),
      { agentId: mutation.agentId, mutationType: mutation.type },
      async (tx) => {
        const rollout = await this.rollouts.create(
          tx,
          {
            id: rolloutId,
            agentId: mutation.agentId,
            planId: plan.id,
            mutationId: mutation.id,
            mutationType: mutation.type,
            stableRevisionId: ctx.parentRevisionId,
            candidateRevisionId: candidate.revision_id,
            steps: policy.canary.steps,
            rollbackKey: `rollback_${randomBytes(8).toString('hex')}`,
            plannedEffects: prepared.side_effects as unknown as Prisma.InputJsonValue,
          },
          actor,
        );
        // Claimed only while its stable revision is still the parent the candidate was derived from.
        if (!rollout) throw new StableMovedError(mutation.agentId, ctx.parentRevisionId);
        return rollout;
      },
    );
    const reservation = await reserve.catch((error: unknown) => {
      if (error instanceof StableMovedError) return { ok: false as const, moved: error.message };
      throw error;
    });
    if (!reservation.ok)
      return this.settleUnstarted(
        mutation,
        MUTATION.skipped,
        'moved' in reservation ? reservation.moved : `budget: ${reservation.refusal.reason}`,
        actor,
      );
    return { rollout: reservation.value };
  }

  private async checkpoint(rolloutId: string, state: AdapterState): Promise<void> {
    if (!(await this.rollouts.checkpointPending(rolloutId, state))) throw new RolloutCancelledError(rolloutId);
  }

  /** Routing starts sending the first step's share of sessions to the candidate. */
  private async start(
    rollout: Rollout,
    mutation: Mutation,
    state: AdapterState,
    checks: unknown,
    actor: string,
  ): Promise<void> {
    await this.liveConfig.changeLiveConfig(rollout.agentId, 'rollout_started', async (tx) => {
      const now = new Date();
      const minute = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
      // A candidate that served earlier in this minute (a restored config has its old revision id) would lend that traffic to the canary.
      const servedBefore = await tx.feedbackRollup.findFirst({
        where: { agentId: rollout.agentId, revisionId: rollout.candidateRevisionId, bucket: minute },
        select: { count: true },
      });
      const evidenceFrom = servedBefore ? new Date(minute.getTime() + MINUTE_MS) : minute;
      const evidence = {
        steps: rollout.steps,
        side_effects: state.effects.length,
        verify: checks,
      } as Prisma.InputJsonValue;
      const started = await this.rollouts.start(
        tx,
        rollout,
        { mutationId: mutation.id, at: now, evidenceFrom, adapterState: state, evidence },
        actor,
      );
      if (!started) throw new RolloutCancelledError(rollout.id);
    });
  }

  /** A rollout that never served: failed, its agent released, the revert of what was applied queued. */
  private async failRollout(
    rollout: Rollout,
    mutation: Mutation,
    state: AdapterState | null,
    reason: string,
    actor: string,
  ): Promise<void> {
    const revertStatus = state && state.effects.length > 0 ? REVERT.pending : REVERT.not_needed;
    const failed = await this.rollouts.failPending(
      rollout,
      mutation.id,
      { reason, revertStatus, adapterState: state },
      actor,
    );
    if (!failed) return;
    this.metrics.mutations.inc({ mutation_type: mutation.type, result: 'failed' });
    this.logger.warn(`rollout ${rollout.id} failed: ${reason}`);
    if (revertStatus === REVERT.pending)
      await this.reverts.add(
        JOBS.revertAdapter,
        { rollout_id: rollout.id, ...traceField() },
        revertJobOptions(rollout.id),
      );
  }

  private async settleUnstarted(
    mutation: Mutation,
    status: typeof MUTATION.skipped | typeof MUTATION.failed,
    reason: string,
    actor: string,
  ) {
    await this.plans.closeUnstarted(mutation, status, reason, actor);
    this.metrics.mutations.inc({
      mutation_type: mutation.type,
      result: status === MUTATION.skipped ? 'refused' : 'failed',
    });
    return { outcome: status === MUTATION.skipped ? ('refused' as const) : ('failed' as const), refused: reason };
  }

  private async scheduleMonitor(rolloutId: string): Promise<void> {
    await this.schedules.ensure(rolloutId, this.policies.current().policy.canary.analysis_interval_seconds * 1000);
  }
}

const isLive = (status: RolloutState) => (LIVE_ROLLOUT_STATUSES as readonly RolloutState[]).includes(status);
