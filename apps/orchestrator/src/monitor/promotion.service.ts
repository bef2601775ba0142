import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ADAPTER_SET,
  adapterStateSchema,
  type AdapterSet,
  type AdapterState,
  type MutationAdapter,
  type PlannedEffect,
  type Prepared,
} from '@metaloop/adapters';
import { RolloutLifecycle, RolloutMetrics } from '@metaloop/control';
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
    private readonly lifecycle: RolloutLifecycle,
    private readonly metrics: RolloutMetrics,
    @Inject(ADAPTER_SET) private readonly adapters: AdapterSet,
  ) {}

  async promote(rollout: Rollout, reason: string, statistics: Prisma.InputJsonValue, actor: string): Promise<Rollout> {
    const { result } = await this.liveConfig.changeLiveConfig(rollout.agentId, 'rollout_promoted', async (tx) => {
      const promoted = await this.lifecycle.promote(tx, rollout, reason, statistics, actor);
      if (!promoted) throw new StaleLookError(rollout.id);
      return promoted;
    });
    this.metrics.mutations.inc({ mutation_type: rollout.mutationType, result: 'promoted' });
    return result;
  }

  /** Whether promote-phase side effects are still to be made. */
  effectsPending(rollout: Rollout): boolean {
    const state = rollout.adapterState ? adapterStateSchema.parse(rollout.adapterState) : null;
    return promoteEffects(rollout).some(
      (planned) =>
        !state?.effects.some((record) => record.status === 'done' && jsonEqual(record.effect, planned.effect)),
    );
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
    const state: AdapterState = rollout.adapterState
      ? adapterStateSchema.parse(rollout.adapterState)
      : { type: rollout.mutationType, operation_id: rollout.id, effects: [] };
    const checkpoint = async (next: AdapterState) => {
      await this.lifecycle.saveAdapterState(rollout.id, next);
    };
    try {
      const done = await (this.adapters[rollout.mutationType] as MutationAdapter).promote(
        ctx,
        prepared,
        state,
        checkpoint,
      );
      await checkpoint(done);
      return false;
    } catch (error) {
      const message = `promotion side effects pending (retried on the next look): ${(error as Error).message}`;
      this.logger.warn(`rollout ${rollout.id}: ${message}`);
      await this.lifecycle.noteStatusReason(rollout.id, message);
      return true;
    }
  }
}

function promoteEffects(rollout: Rollout): PlannedEffect[] {
  return (rollout.plannedEffects as unknown as PlannedEffect[]).filter((planned) => planned.phase === 'promote');
}
