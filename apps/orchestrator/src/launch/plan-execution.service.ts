import { Injectable } from '@nestjs/common';
import { AuditLog, RolloutMetrics, settlePlan } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import { PointlessJobError } from '../common/job-retry';
import { RolloutLauncher, type LaunchResult } from './rollout-launcher';

export interface PlanExecutionResult {
  plan_id: string;
  status: string;
  rollouts: LaunchResult[];
}

const RUNNABLE = ['queued', 'executing'];

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
    private readonly audit: AuditLog,
    private readonly metrics: RolloutMetrics,
  ) {}

  async execute(planId: string, requestedBy: string): Promise<PlanExecutionResult> {
    const plan = await this.prisma.plan.findUnique({ where: { id: planId }, include: { mutations: { orderBy: { ordinal: 'asc' } } } });
    if (!plan) throw new PointlessJobError(`plan ${planId} does not exist`);
    if (plan.status === 'completed' || plan.status === 'failed') return { plan_id: planId, status: plan.status, rollouts: [] };
    if (!RUNNABLE.includes(plan.status)) throw new PointlessJobError(`plan ${planId} is ${plan.status}; only a queued plan is executed`);
    if (plan.status === 'queued') {
      await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.plan.updateMany({ where: { id: planId, status: 'queued' }, data: { status: 'executing' } });
        if (count > 0) await this.audit.record({ actor: requestedBy, action: 'plan.executing', entityType: 'plan', entityId: planId, details: { mutations: plan.mutations.length } }, tx);
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
    await this.prisma.$transaction(async (tx) => {
      const pending = await tx.rollout.findMany({ where: { planId, status: 'pending' }, select: { id: true, agentId: true, adapterState: true, mutationType: true } });
      for (const rollout of pending) {
        const effects = (rollout.adapterState as { effects?: unknown[] } | null)?.effects?.length ?? 0;
        await tx.rollout.update({ where: { id: rollout.id }, data: { status: 'failed', finishedAt: new Date(), statusReason: reason, revertStatus: effects > 0 ? 'pending' : 'not_needed' } });
        await tx.agent.updateMany({ where: { id: rollout.agentId, activeRolloutId: rollout.id }, data: { activeRolloutId: null } });
        this.metrics.mutations.inc({ mutation_type: rollout.mutationType, result: 'failed' });
      }
      await tx.mutation.updateMany({ where: { planId, status: { in: ['pending', 'applied'] }, rollouts: { none: { status: { in: ['running', 'paused'] } } } }, data: { status: 'failed' } });
      await this.audit.record({ actor, action: 'plan.gave_up', entityType: 'plan', entityId: planId, reason }, tx);
      await settlePlan(tx, planId, this.audit, actor);
    });
  }
}
