import type { AdapterState } from './side-effects';

export type AdapterErrorCode =
  /** The mutation's params do not match its schema. */
  | 'invalid_params'
  /** A prompt version, model, LoRA adapter or backend that is not registered for the agent. */
  | 'unknown_candidate'
  /** An id the parent config does not hold (detach, unset, remove, reweight). */
  | 'unknown_id'
  /** An id the parent config already holds (add). */
  | 'duplicate_id'
  /** The candidate would equal the parent. */
  | 'no_change'
  /** The change does not fit the parent (a LoRA adapter for another base model, no route to change). */
  | 'incompatible'
  /** The policy's constraints forbid it (route shift, param allow/forbid/bounds, memory caps). */
  | 'constraint_violation'
  /** The derived config breaks the AgentConfig schema. */
  | 'invalid_config'
  /** The state given to revert belongs to another adapter or operation. */
  | 'invalid_state'
  /** The state names a side effect this process has no endpoint for. */
  | 'not_configured'
  /** An external call failed for good (after its retries). */
  | 'side_effect_failed';

/**
 * Why an adapter refused or failed. `path` names the offending field (`params.weights.eu-1`);
 * `state`, on a failed apply, is what was attempted so far (already checkpointed).
 */
export class AdapterError extends Error {
  override readonly name = 'AdapterError';

  constructor(
    readonly code: AdapterErrorCode,
    message: string,
    readonly path?: string,
    readonly state?: AdapterState,
  ) {
    super(message);
  }
}
