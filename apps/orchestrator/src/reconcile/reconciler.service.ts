import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { systemActor } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import {
  executePlanJobOptions,
  JOBS,
  LIVE_ROLLOUT_STATUSES,
  QUEUES,
  type ExecutePlanJob,
  type RevertAdapterJob,
  revertJobOptions,
} from '@metaloop/contracts';
import { DistinctWarnings } from '@metaloop/observability';
import { PolicyStore } from '@metaloop/policies';
import type { Job, Queue } from 'bullmq';
import type { Env } from '../config/env.schema';
import { MonitorSchedules } from '../monitor/monitor-schedules';
import { PromotionService } from '../monitor/promotion.service';

const DAY_MS = 86_400_000;
/** A plan queued this recently may still be getting its job from oracle-api. */
const PLAN_GRACE_MS = 30_000;

export interface ReconcileReport {
  schedules_created: number;
  schedules_removed: number;
  reverts_queued: number;
  plans_queued: number;
}

/**
 * Makes Redis agree with Postgres, at start and every RECONCILE_INTERVAL_MS, so a restarted
 * orchestrator or a flushed Redis resumes: every running or paused rollout (and a promoted one
 * with promotion side effects left) has its monitor schedule at the policy's interval and no
 * finished one keeps one; every pending revert has a job (an emergency rollback made by
 * oracle-api while the orchestrator was away, a Redis that was down); every plan left with
 * unstarted mutations has its job again. Idempotent, so every replica may run it.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Reconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileReport | undefined>;
  private readonly problems = new DistinctWarnings(this.logger);

  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly schedules: MonitorSchedules,
    private readonly promotion: PromotionService,
    private readonly config: ConfigService<Env, true>,
    @InjectQueue(QUEUES.reverts) private readonly reverts: Queue<RevertAdapterJob>,
    @InjectQueue(QUEUES.plans) private readonly plans: Queue<ExecutePlanJob>,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.config.get('RECONCILE_INTERVAL_MS', { infer: true }));
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass (a pass already running is joined, not doubled); undefined when Postgres or Redis failed it. */
  reconcile(): Promise<ReconcileReport | undefined> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<ReconcileReport | undefined> {
    try {
      const [schedules, reverts_queued, plans_queued] = await Promise.all([
        this.reconcileSchedules(),
        this.reconcileReverts(),
        this.reconcilePlans(),
      ]);
      this.problems.reset();
      return { ...schedules, reverts_queued, plans_queued };
    } catch (error) {
      const problem = (error as Error).message;
      this.problems.warn(
        `reconcile failed, trying again in ${this.config.get('RECONCILE_INTERVAL_MS', { infer: true })} ms: ${problem}`,
        problem,
      );
      return undefined;
    }
  }

  private async reconcileSchedules(): Promise<Pick<ReconcileReport, 'schedules_created' | 'schedules_removed'>> {
    const everyMs = this.policies.current().policy.canary.analysis_interval_seconds * 1000;
    // Schedules first: one created after this list (a rollout starting now) is never removed below.
    const scheduled = await this.schedules.list();
    const live = await this.prisma.rollout.findMany({
      where: {
        OR: [
          { status: { in: [...LIVE_ROLLOUT_STATUSES] } },
          { status: 'promoted', finishedAt: { gt: new Date(Date.now() - DAY_MS) } },
        ],
      },
    });
    const wanted = new Set(
      live.filter((r) => r.status !== 'promoted' || this.promotion.effectsPending(r)).map((r) => r.id),
    );
    let created = 0;
    let removed = 0;
    for (const id of wanted) {
      if (scheduled.get(id) === everyMs) continue;
      await this.schedules.ensure(id, everyMs);
      created++;
    }
    for (const id of scheduled.keys()) {
      if (wanted.has(id)) continue;
      await this.schedules.remove(id);
      removed++;
    }
    return { schedules_created: created, schedules_removed: removed };
  }

  private async reconcileReverts(): Promise<number> {
    const pending = await this.prisma.rollout.findMany({ where: { revertStatus: 'pending' }, select: { id: true } });
    let queued = 0;
    for (const { id } of pending) {
      if (await this.requeue(await this.reverts.getJob(`revert-${id}`))) continue;
      await this.reverts.add(JOBS.revertAdapter, { rollout_id: id }, revertJobOptions(id));
      queued++;
    }
    return queued;
  }

  private async reconcilePlans(): Promise<number> {
    const stranded = await this.prisma.plan.findMany({
      where: {
        status: { in: ['queued', 'executing'] },
        updatedAt: { lt: new Date(Date.now() - PLAN_GRACE_MS) },
        OR: [
          { mutations: { some: { status: 'pending', rollouts: { none: {} } } } },
          { rollouts: { some: { status: 'pending' } } },
        ],
      },
      select: { id: true },
    });
    let queued = 0;
    for (const { id } of stranded) {
      if (await this.requeue(await this.plans.getJob(id))) continue;
      await this.plans.add(
        JOBS.executePlan,
        { plan_id: id, requested_by: systemActor('orchestrator-reconciler') },
        executePlanJobOptions(id),
      );
      queued++;
    }
    return queued;
  }

  /** True when the job exists and is, or now is again, on its way; false when there is none (or it was removed) to add anew. */
  private async requeue(job: Job | undefined): Promise<boolean> {
    if (!job) return false;
    const state = await job.getState();
    if (state === 'failed') {
      await job.retry('failed');
      return true;
    }
    if (state === 'completed' || state === 'unknown') {
      await job.remove();
      return false;
    }
    return true;
  }
}
