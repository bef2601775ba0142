import type {
  AdapterConstraints,
  AgentConfig,
  CandidateSpec,
  Environment,
  MutationParams,
  MutationType,
} from '@metaloop/contracts';
import type { AdapterState, PlannedEffect, SideEffect } from './side-effects';
import type { ChangeSummaries } from './summaries';

export interface AdapterContext {
  agentId: string;
  environment: Environment;
  parentRevisionId: string;
  /** The stable config the candidate derives from. */
  parent: AgentConfig;
  /** What the user registered for this agent. */
  candidates: CandidateSpec[];
  constraints: AdapterConstraints;
  /** Stable id of this rollout: the idempotency key of every side effect. */
  operationId: string;
}

/** What prepare derived: plain data, safe to store and to hand to apply/verify/promote later. */
export interface Prepared<T extends MutationType = MutationType> {
  type: T;
  params: MutationParams[T];
  /** The candidate config. */
  config: AgentConfig;
  summary: ChangeSummaries[T];
  side_effects: PlannedEffect[];
}

/** Persists the state (e.g. `rollouts.adapter_state`); awaited before every external call. */
export type Checkpoint = (state: AdapterState) => Promise<void>;

export interface EffectCheck {
  kind: SideEffect['kind'];
  target: string;
  ok: boolean;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  checks: EffectCheck[];
}

export interface RevertResult {
  /** The config to restore: exactly the parent. */
  config: AgentConfig;
  /** The side effects undone, in the order they were undone. */
  undone: SideEffect[];
}

export interface MutationAdapter<T extends MutationType = MutationType> {
  readonly type: T;
  /**
   * Pure: validates `params` against the type's schema and derives the candidate config, the
   * change summary and the side effects apply will make. Throws AdapterError.
   */
  prepare(ctx: AdapterContext, params: unknown): Prepared<T>;
  /** Makes the `apply` side effects, checkpointing before each call; repeating it with the same operation is harmless. */
  apply(ctx: AdapterContext, prepared: Prepared<T>, checkpoint: Checkpoint): Promise<AdapterState>;
  /** Confirms the recorded side effects hold (the server lists the adapter, the router acknowledged). */
  verify(ctx: AdapterContext, prepared: Prepared<T>, state: AdapterState): Promise<VerifyResult>;
  /** After promotion: makes the `promote` side effects (those the stable arm needed until now), appended to the state. */
  promote(
    ctx: AdapterContext,
    prepared: Prepared<T>,
    state: AdapterState,
    checkpoint: Checkpoint,
  ): Promise<AdapterState>;
  /**
   * Undoes every recorded side effect, newest first; idempotent, safe after a half-failed apply
   * and with no apply at all (`state` null). Throws AdapterError `side_effect_failed` when an
   * undo still fails after its retries (the state stays valid for another try).
   */
  revert(ctx: AdapterContext, state: AdapterState | null): Promise<RevertResult>;
}
