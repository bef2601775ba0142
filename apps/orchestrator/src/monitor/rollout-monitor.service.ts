import { Injectable } from '@nestjs/common';
import {
  DECISION,
  FreezeControl,
  RollbackService,
  ROLLOUT,
  RolloutLifecycle,
  systemActor,
  type DecisionAction,
} from '@metaloop/control';
import { Prisma, PrismaService, type Rollout } from '@metaloop/db';
import { RedisLock, RedisService } from '@metaloop/messaging';
import { PolicyStore } from '@metaloop/policies';
import { LiveConfigStore } from '@metaloop/registry';
import { randomUUID } from 'node:crypto';
import { OrchestratorMetrics, type StepResult } from '../metrics/orchestrator.metrics';
import { decideLook, type LookDecision } from './analysis/decide-look';
import { pValuesOf } from './analysis/guarded-tests';
import { lookMemory } from './look-memory';
import { MonitorSchedules } from './monitor-schedules';
import { PromotionService } from './promotion.service';
import { RolloutReadings } from './rollout-readings';
import { StaleLookError } from './stale-look.error';

export const MONITOR_ACTOR = systemActor('orchestrator');

const STEP_RESULT: Record<LookDecision['verdict']['action'], StepResult> = {
  advance: 'pass',
  promote: 'pass',
  rollback: 'fail',
  // Not harm: the step did not pass and the challenger ends (futility, time or pause ran out).
  retire: 'inconclusive',
  inconclusive: 'inconclusive',
  pause: 'inconclusive',
  hold: 'hold',
};

type Json = Prisma.InputJsonValue;

/**
 * One look at one rollout, every analysis interval: read both arms' rollups, decide
 * (decideLook), record the decision with its statistics, and act: advance the weight, promote,
 * pause, roll back or retire (RollbackService: routing back to stable either way). One look per
 * rollout at a time across replicas (a Redis lock), and every change is conditional on the
 * rollout being as the look read it.
 */
@Injectable()
export class RolloutMonitor {
  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly freeze: FreezeControl,
    private readonly readings: RolloutReadings,
    private readonly schedules: MonitorSchedules,
    private readonly liveConfig: LiveConfigStore,
    private readonly rollbacks: RollbackService,
    private readonly promotion: PromotionService,
    private readonly lifecycle: RolloutLifecycle,
    private readonly metrics: OrchestratorMetrics,
    private readonly redis: RedisService,
  ) {}

  /** Looks at the rollout and says what came of it (the job's result, shown in bull-board). */
  async look(rolloutId: string): Promise<string> {
    const { policy } = this.policies.current();
    const ttlMs = Math.max(5_000, 2_000 * policy.canary.analysis_interval_seconds);
    const lock = await new RedisLock(this.redis.client, this.redis.key('monitor-lock', rolloutId)).acquire(
      randomUUID(),
      { ttlMs },
    );
    if (!lock) return 'skipped: another look at this rollout is running';
    try {
      return await this.lookLocked(rolloutId);
    } catch (error) {
      if (error instanceof StaleLookError) return `stale: ${error.message}`;
      throw error;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  private async lookLocked(rolloutId: string): Promise<string> {
    const rollout = await this.prisma.rollout.findUnique({ where: { id: rolloutId } });
    if (!rollout) {
      await this.schedules.remove(rolloutId);
      return 'gone: no such rollout';
    }
    if (rollout.status === ROLLOUT.promoted && (await this.promotion.finishEffects(rollout)))
      return 'promoted: side effects still pending';
    if (rollout.status === ROLLOUT.pending) return 'pending: still being applied';
    if (rollout.status !== ROLLOUT.running && rollout.status !== ROLLOUT.paused) {
      await this.schedules.remove(rolloutId);
      return `finished: ${rollout.status}`;
    }

    const { policy } = this.policies.current();
    const now = new Date();
    const [freeze, readings, last, paused] = await Promise.all([
      this.freeze.state(),
      this.readings.read(rollout, policy, now),
      this.prisma.rolloutDecision.findFirst({ where: { rolloutId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      rollout.status === ROLLOUT.paused
        ? this.prisma.rolloutDecision.findFirst({
            where: { rolloutId, action: DECISION.pause },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            select: { createdAt: true },
          })
        : null,
    ]);
    const memory = lookMemory(last);
    const decision = decideLook({
      policy,
      rollout: {
        status: rollout.status,
        stepIndex: rollout.stepIndex,
        steps: rollout.steps,
        startedAt: rollout.startedAt ?? now,
        stepStartedAt: rollout.stepStartedAt ?? now,
        pausedAt: paused?.createdAt,
      },
      now,
      frozen: freeze.frozen || policy.freeze.frozen,
      stepBaseline: memory.stepBaseline,
      previous: memory.pValues,
      readings,
    });
    const statistics = { ...decision.statistics, p_values: pValuesOf(decision.statistics.tests) };
    const { verdict, reason } = decision;
    switch (verdict.action) {
      case 'rollback':
        await this.rollbacks.rollBack(rolloutId, {
          reason: verdict.cause,
          trigger: 'auto',
          actor: MONITOR_ACTOR,
          detail: reason,
          statistics: statistics as unknown as Json,
          since: memory.lastLookAt ?? rollout.startedAt ?? now,
        });
        await this.schedules.remove(rolloutId);
        break;
      case 'retire':
        await this.rollbacks.retire(rolloutId, {
          reason: verdict.cause,
          actor: MONITOR_ACTOR,
          detail: reason,
          statistics: statistics as unknown as Json,
        });
        await this.schedules.remove(rolloutId);
        break;
      case 'promote': {
        const promoted = await this.promotion.promote(rollout, reason, statistics as unknown as Json, MONITOR_ACTOR);
        if (!(await this.promotion.finishEffects(promoted))) await this.schedules.remove(rolloutId);
        break;
      }
      case 'advance': {
        const nextBaseline = { canary: readings.canary.count, stable: readings.stable.count };
        const advanced = { ...statistics, next_step_baseline: nextBaseline } as unknown as Json;
        await this.changeLive(rollout, 'rollout_step', (tx) =>
          this.lifecycle.advance(tx, rollout, verdict.toStep, now, reason, advanced, MONITOR_ACTOR),
        );
        break;
      }
      case 'pause':
        await this.changeLive(rollout, 'rollout_paused', (tx) =>
          this.lifecycle.pause(tx, rollout, reason, statistics as unknown as Json, MONITOR_ACTOR),
        );
        break;
      default:
        await this.record(rollout, verdict.action, reason, statistics as unknown as Json);
    }
    this.metrics.stepResults.inc({ result: STEP_RESULT[verdict.action] });
    return `${verdict.action}: ${reason}`;
  }

  /** A step or status change of the live config: through changeLiveConfig, audited; stale when the rollout moved since the look. */
  private async changeLive(
    rollout: Rollout,
    changeReason: string,
    move: (tx: Prisma.TransactionClient) => Promise<boolean>,
  ): Promise<void> {
    await this.liveConfig.changeLiveConfig(rollout.agentId, changeReason, async (tx) => {
      if (!(await move(tx))) throw new StaleLookError(rollout.id);
    });
  }

  /** A look that changes nothing (hold, inconclusive): only its decision row, if the rollout is still as read. */
  private async record(rollout: Rollout, action: DecisionAction, reason: string, statistics: Json): Promise<void> {
    if (!(await this.lifecycle.recordLook(rollout, action, reason, statistics, MONITOR_ACTOR)))
      throw new StaleLookError(rollout.id);
  }
}
