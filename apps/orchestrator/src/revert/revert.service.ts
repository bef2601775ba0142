import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ADAPTER_SET,
  AdapterError,
  adapterStateSchema,
  type AdapterSet,
  type MutationAdapter,
} from '@metaloop/adapters';
import { REVERT, RolloutLifecycle, systemActor } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import { AdapterContexts } from '../common/adapter-contexts';
import { PointlessJobError } from '../common/job-retry';
import type { Env } from '../config/env.schema';
import { OrchestratorMetrics } from '../metrics/orchestrator.metrics';

const ACTOR = systemActor('orchestrator');
/** Retrying cannot help these: the endpoint is not configured here, or the state is not this rollout's. */
const HOPELESS = new Set(['not_configured', 'invalid_state']);

/**
 * Undoes a rolled-back (or failed) rollout's side effects with its adapter, after routing is
 * already back on stable. Every attempt is counted on the rollout (revert_attempts, revert_error);
 * a failure leaves it pending for the next attempt, until REVERT_MAX_ATTEMPTS or a failure that
 * retrying cannot fix marks it failed for a person to look at.
 */
@Injectable()
export class RevertService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly contexts: AdapterContexts,
    private readonly lifecycle: RolloutLifecycle,
    private readonly metrics: OrchestratorMetrics,
    private readonly config: ConfigService<Env, true>,
    @Inject(ADAPTER_SET) private readonly adapters: AdapterSet,
  ) {}

  async revert(rolloutId: string): Promise<string> {
    const rollout = await this.prisma.rollout.findUnique({ where: { id: rolloutId } });
    if (!rollout) throw new PointlessJobError(`rollout ${rolloutId} does not exist`);
    if (rollout.revertStatus !== REVERT.pending) return `nothing to do: revert is ${rollout.revertStatus}`;
    const state = rollout.adapterState ? adapterStateSchema.parse(rollout.adapterState) : null;
    const attempts = rollout.revertAttempts + 1;
    try {
      const { undone } = await (this.adapters[rollout.mutationType] as MutationAdapter).revert(
        await this.contexts.forRollout(rollout),
        state,
      );
      await this.lifecycle.revertDone(rollout, attempts, undone, ACTOR);
      return `reverted ${undone.length} side effect(s) in ${attempts} attempt(s)`;
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
      this.metrics.revertFailures.inc({ mutation_type: rollout.mutationType });
      const giveUp = HOPELESS.has(error.code) || attempts >= this.config.get('REVERT_MAX_ATTEMPTS', { infer: true });
      await this.lifecycle.revertFailed(rollout, attempts, error, giveUp, ACTOR);
      if (giveUp)
        throw new PointlessJobError(
          `revert of rollout ${rolloutId} failed for good after ${attempts} attempt(s): ${error.message}`,
        );
      throw error;
    }
  }
}
