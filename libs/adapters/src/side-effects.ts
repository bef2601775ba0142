import { mutationTypeSchema, routeSchema } from '@metaloop/contracts';
import { z } from 'zod';

/*
 * The external calls an adapter makes, as data: prepare plans them, apply/promote record each one
 * before making it, revert undoes what the record names. State lives in Postgres
 * (`rollouts.adapter_state`), so a revert may run in another process after a crash.
 */

const weights = routeSchema.shape.weights;

export const sideEffectSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lora_load'), lora_name: z.string().min(1), lora_path: z.string().min(1) }),
  z.strictObject({ kind: z.literal('lora_unload'), lora_name: z.string().min(1), lora_path: z.string().min(1) }),
  z.strictObject({ kind: z.literal('router_weights'), weights, previous_weights: weights }),
]);
export type SideEffect = z.infer<typeof sideEffectSchema>;

/**
 * `apply` effects run before the canary starts; `promote` effects only once the candidate has
 * replaced the stable config (e.g. unloading a detached LoRA adapter the stable arm still serves with).
 */
export type EffectPhase = 'apply' | 'promote';
export interface PlannedEffect {
  phase: EffectPhase;
  effect: SideEffect;
}

export const effectRecordSchema = z.strictObject({
  effect: sideEffectSchema,
  /** `started` is written before the call, `done` after its success: a `started` one may or may not have happened. */
  status: z.enum(['started', 'done']),
});
export type EffectRecord = z.infer<typeof effectRecordSchema>;

/** What apply (and promote) did, in order: all revert needs. */
export const adapterStateSchema = z.strictObject({
  type: mutationTypeSchema,
  operation_id: z.string().min(1),
  effects: z.array(effectRecordSchema),
});
export type AdapterState = z.infer<typeof adapterStateSchema>;

export function effectTarget(effect: SideEffect): string {
  return effect.kind === 'router_weights' ? 'router' : effect.lora_name;
}
