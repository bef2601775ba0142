import { Injectable } from '@nestjs/common';
import {
  EXECUTING_PLAN_STATUSES,
  PLAN,
  PlanLifecycle,
  RolloutLifecycle,
  RolloutMetrics,
  SETTLED_PLAN_STATUSES,
  type PlanState,
} from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import { PointlessJobError } from '../common/job-retry';
import { RolloutLauncher, type LaunchResult } from './rollout-launcher';

export interface PlanExecutionResult {
  plan_id: string;
  status: string;
  rollouts: LaunchResult[];
}

/**
 * Runs a plan handed over by oracle-api: queued → executing, then each mutation in order is
 * launched as its own canary (they are on different agents, so they run side by side). The plan
 * is settled when its last mutation finishes: completed when one was promoted, failed when none
 * was. Safe to run again for the same plan: every launch resumes from its rollout row.
 */
@Injectable()
export class PlanExecutionService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly launcher: RolloutLauncher,
    private readonly plans: PlanLifecycle,
    private readonly rollouts: RolloutLifecycle,
    private readonly metrics: RolloutMetrics,
  ) {}

  async execute(planId: string, requestedBy: string): Promise<PlanExecutionResult> {
    const plan = await this.prisma.plan.findUnique({
      where: { id: planId },
      include: { mutations: { orderBy: { ordinal: 'asc' } } },
    });
    if (!plan) throw new PointlessJobError(`plan ${planId} does not exist`);
    if (isOneOf(plan.status, SETTLED_PLAN_STATUSES)) return { plan_id: planId, status: plan.status, rollouts: [] };
    if (!isOneOf(plan.status, EXECUTING_PLAN_STATUSES))
      throw new PointlessJobError(`plan ${planId} is ${plan.status}; only a queued plan is executed`);
    if (plan.status === PLAN.queued) {
      await this.plans.move(planId, PLAN.queued, PLAN.executing, {
        actor: requestedBy,
        action: 'plan.executing',
        details: { mutations: plan.mutations.length },
      });
    }
    const rollouts: LaunchResult[] = [];
    for (const mutation of plan.mutations) rollouts.push(await this.launcher.launch(plan, mutation, requestedBy));
    const { status } = await this.prisma.plan.findUniqueOrThrow({ where: { id: planId }, select: { status: true } });
    return { plan_id: planId, status, rollouts };
  }

  /**
   * After the last attempt: the mutations that never started are failed, and so is a rollout
   * still pending (nothing served it; its revert is queued by the reconciler).
   */
  async giveUp(planId: string, error: Error, actor: string): Promise<void> {
    const reason = `plan execution gave up: ${error.message}`;
    await this.rollouts.giveUpPlan(planId, reason, actor, (rollout) =>
      this.metrics.mutations.inc({ mutation_type: rollout.mutationType, result: 'failed' }),
    );
  }
}

const isOneOf = (status: PlanState, states: readonly PlanState[]) => states.includes(status);
