import {
  agentConfigSchema,
  mutationParamsSchemas,
  type AgentConfigInput,
  type MutationParams,
  type MutationType,
} from '@metaloop/contracts';
import { jsonEqual } from '@metaloop/core';
import type { z } from 'zod';
import type { AdapterContext, Checkpoint, MutationAdapter, Prepared } from './adapter';
import { EffectExecutor } from './effect-executor';
import { AdapterError } from './errors';
import type { AdapterState, EffectPhase, EffectRecord, PlannedEffect } from './side-effects';
import type { ChangeSummaries } from './summaries';

/** Which side-effect endpoints are configured, so prepare plans only calls that can be made. */
export interface AvailableEndpoints {
  lora: boolean;
  router: boolean;
}

export interface Derivation<T extends MutationType> {
  config: AgentConfigInput;
  summary: ChangeSummaries[T];
  side_effects?: PlannedEffect[];
}

/** What is particular to a mutation type: how the candidate derives from the parent. The rest is shared. */
export interface AdapterDefinition<T extends MutationType> {
  type: T;
  /** Pure; throws AdapterError for what params and constraints forbid. */
  derive(ctx: AdapterContext, params: MutationParams[T], endpoints: AvailableEndpoints): Derivation<T>;
}

export function defineAdapter<T extends MutationType>(
  definition: AdapterDefinition<T>,
  executor: EffectExecutor,
  endpoints: AvailableEndpoints,
): MutationAdapter<T> {
  const { type } = definition;

  const ownState = (ctx: AdapterContext, state: AdapterState) => {
    if (state.type !== type || state.operation_id !== ctx.operationId) {
      throw new AdapterError(
        'invalid_state',
        `state of ${state.type} ${state.operation_id} given to ${type} ${ctx.operationId}`,
      );
    }
  };

  const run = async (
    ctx: AdapterContext,
    prepared: Prepared<T>,
    phase: EffectPhase,
    from: AdapterState,
    checkpoint: Checkpoint,
  ) => {
    const state = structuredClone(from);
    for (const planned of prepared.side_effects.filter((effect) => effect.phase === phase)) {
      // A repeated promote finds its effects recorded: done ones are skipped, started ones retried in place.
      const recorded = state.effects.find((record) => jsonEqual(record.effect, planned.effect));
      if (recorded?.status === 'done') continue;
      const record: EffectRecord = recorded ?? { effect: planned.effect, status: 'started' };
      if (!recorded) state.effects.push(record);
      await checkpoint(structuredClone(state));
      try {
        await executor.perform(ctx, planned.effect);
      } catch (error) {
        throw failed(error, state);
      }
      record.status = 'done';
    }
    return state;
  };

  return {
    type,

    prepare(ctx, rawParams) {
      const params = parse(mutationParamsSchemas[type], rawParams, 'params', 'invalid_params') as MutationParams[T];
      const derived = definition.derive(ctx, params, endpoints);
      const config = parse(agentConfigSchema, derived.config, 'config', 'invalid_config');
      if (jsonEqual(config, ctx.parent))
        throw new AdapterError('no_change', `${type} leaves the config as it is`, 'params');
      return { type, params, config, summary: derived.summary, side_effects: derived.side_effects ?? [] };
    },

    apply: (ctx, prepared, checkpoint) =>
      run(ctx, prepared, 'apply', { type, operation_id: ctx.operationId, effects: [] }, checkpoint),

    promote(ctx, prepared, state, checkpoint) {
      ownState(ctx, state);
      return run(ctx, prepared, 'promote', state, checkpoint);
    },

    async verify(ctx, _prepared, state) {
      ownState(ctx, state);
      const checks = await Promise.all(state.effects.map((record) => executor.check(record)));
      return { ok: checks.every((check) => check.ok), checks };
    },

    async revert(ctx, state) {
      if (state) ownState(ctx, state);
      const undone = [];
      const failures: AdapterError[] = [];
      for (const { effect } of [...(state?.effects ?? [])].reverse()) {
        try {
          await executor.undo(ctx, effect);
          undone.push(effect);
        } catch (error) {
          failures.push(failed(error, state!));
        }
      }
      if (failures.length > 0) {
        // A missing endpoint will not come back by retrying; say so rather than "failed".
        const code = failures.some((failure) => failure.code === 'not_configured')
          ? 'not_configured'
          : 'side_effect_failed';
        throw new AdapterError(
          code,
          `revert of ${type} failed: ${failures.map((failure) => failure.message).join('; ')}`,
          undefined,
          state!,
        );
      }
      return { config: structuredClone(ctx.parent), undone };
    },
  };
}

function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root: string,
  code: 'invalid_params' | 'invalid_config',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [root, ...issue.path.map(String)].join('.');
  throw new AdapterError(code, `${path}: ${issue.message}`, path);
}

/** What a failed step throws: an AdapterError (whatever was thrown) with the state as it was at the failure. */
function failed(error: unknown, state: AdapterState): AdapterError {
  const snapshot = structuredClone(state);
  if (error instanceof AdapterError) return new AdapterError(error.code, error.message, error.path, snapshot);
  return new AdapterError(
    'side_effect_failed',
    error instanceof Error ? error.message : String(error),
    undefined,
    snapshot,
  );
}
