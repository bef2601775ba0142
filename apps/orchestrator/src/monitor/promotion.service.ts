import { Inject, Injectable, Logger } from '@nestjs/common';
import { ADAPTER_SET, adapterStateSchema, type AdapterSet, type AdapterState, type MutationAdapter, type PlannedEffect, type Prepared } from '@metaloop/adapters';
import { AuditLog, RolloutMetrics, settlePlan } from '@metaloop/control';
import { Prisma, PrismaService, type Rollout } from '@metaloop/db';
import { agentConfigSchema } from '@metaloop/contracts';
import { jsonEqual } from '@metaloop/core';
import { LiveConfigStore } from '@metaloop/registry';
import { AdapterContexts } from '../common/adapter-contexts';
import { StaleLookError } from './stale-look.error';


/**
 * The last step: the candidate becomes the agent's stable revision (one changeLiveConfig
 * transaction with the decision, the audit entry carrying the score and lift, the findings the
 * plan answered resolved, the plan settled), then the adapter's promote-phase side effects (e.g.
 * unloading a detached LoRA adapter, telling the router the new weights), retried on later looks
 * until done.
 */
@Injectable()
export class PromotionService {
  private readonly logger = new Logger(PromotionService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly liveConfig: LiveConfigStore,
    private readonly contexts: AdapterContexts,
    private readonly audit: AuditLog,
    private readonly metrics: RolloutMetrics,
    @Inject(ADAPTER_SET) private readonly adapters: AdapterSet,
  ) {}

  async promote(rollout: Rollout, reason: string, statistics: Prisma.InputJsonValue, actor: string): Promise<Rollout> {
    const { result } = await this.liveConfig.changeLiveConfig(rollout.agentId, 'rollout_promoted', async (tx) => {
      const { count } = await tx.rollout.updateMany({
        where: { id: rollout.id, status: 'running', stepIndex: rollout.stepIndex },
        data: { status: 'promoted', weightBp: 10_000, stepIndex: rollout.steps.length - 1, finishedAt: new Date(), statusReason: reason },
      });
      if (count === 0) throw new StaleLookError(rollout.id);
      await tx.agent.update({ where: { id: rollout.agentId }, data: { stableRevisionId: rollout.candidateRevisionId, activeRolloutId: null } });
      if (rollout.mutationId) await tx.mutation.update({ where: { id: rollout.mutationId }, data: { status: 'promoted' } });
      await tx.rolloutDecision.create({ data: { rolloutId: rollout.id, stepIndex: rollout.stepIndex, weightBp: rollout.weightBp, action: 'promote', reason, statistics, actor } });
      const score = (statistics as { score?: Prisma.InputJsonValue }).score ?? null;
      await this.audit.record(
        {
          actor,
          action: 'rollout.promoted',
          entityType: 'rollout',
          entityId: rollout.id,
          agentId: rollout.agentId,
          reason,
          details: { champion_revision_id: rollout.stableRevisionId, challenger_revision_id: rollout.candidateRevisionId, score, statistics },
        },
        tx,
      );
      await this.resolveFindings(tx, rollout);
      await settlePlan(tx, rollout.planId, this.audit, actor);
      return tx.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    });
    this.metrics.mutations.inc({ mutation_type: rollout.mutationType, result: 'promoted' });
    return result;
  }

  /** Whether promote-phase side effects are still to be made. */
  effectsPending(rollout: Rollout): boolean {
    const state = rollout.adapterState ? adapterStateSchema.parse(rollout.adapterState) : null;
    return promoteEffects(rollout).some((planned) => !state?.effects.some((record) => record.status === 'done' && jsonEqual(record.effect, planned.effect)));
  }

  /** Makes the promote-phase side effects; false when they are all done, true when some must be tried again. */
  async finishEffects(rollout: Rollout): Promise<boolean> {
    if (!this.effectsPending(rollout)) return false;
    const [ctx, candidate, mutation] = await Promise.all([
      this.contexts.forRollout(rollout),
      this.prisma.revision.findUniqueOrThrow({ where: { id: rollout.candidateRevisionId } }),
      rollout.mutationId ? this.prisma.mutation.findUnique({ where: { id: rollout.mutationId } }) : null,
    ]);
    const prepared = {
      type: rollout.mutationType,
      params: mutation?.params ?? {},
      config: agentConfigSchema.parse(candidate.config),
      summary: candidate.changeSummary ?? {},
      side_effects: rollout.plannedEffects as unknown as PlannedEffect[],
    } as unknown as Prepared;
    const state: AdapterState = rollout.adapterState ? adapterStateSchema.parse(rollout.adapterState) : { type: rollout.mutationType, operation_id: rollout.id, effects: [] };
    const checkpoint = async (next: AdapterState) => {
      await this.prisma.rollout.update({ where: { id: rollout.id }, data: { adapterState: next as unknown as Prisma.InputJsonValue } });
    };
    try {
      const done = await (this.adapters[rollout.mutationType] as MutationAdapter).promote(ctx, prepared, state, checkpoint);
      await checkpoint(done);
      return false;
    } catch (error) {
      const message = `promotion side effects pending (retried on the next look): ${(error as Error).message}`;
      this.logger.warn(`rollout ${rollout.id}: ${message}`);
      await this.prisma.rollout.update({ where: { id: rollout.id }, data: { statusReason: message } });
      return true;
    }
  }

  private async resolveFindings(tx: Prisma.TransactionClient, rollout: Rollout): Promise<void> {
    if (!rollout.planId) return;
    const plan = await tx.plan.findUnique({ where: { id: rollout.planId }, select: { findingIds: true } });
    if (!plan?.findingIds.length) return;
    await tx.finding.updateMany({ where: { id: { in: plan.findingIds }, agentId: rollout.agentId, status: { in: ['open', 'planned'] } }, data: { status: 'resolved', resolvedAt: new Date() } });
  }
}

function promoteEffects(rollout: Rollout): PlannedEffect[] {
  return (rollout.plannedEffects as unknown as PlannedEffect[]).filter((planned) => planned.phase === 'promote');
}
