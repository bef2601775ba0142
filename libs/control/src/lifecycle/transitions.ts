import { MUTATION, PLAN, ROLLOUT, type MutationState, type PlanState, type RolloutState } from './lifecycle-states';

/** What each state may become; a state that becomes nothing is final. */
type Table<S extends string> = { readonly [From in S]: readonly S[] };

const { validated, blocked, awaiting_approval, approved, rejected, queued, executing, completed, expired } = PLAN;

/**
 * Plans: validation (again and again while unexecuted) moves a plan between validated, blocked and
 * awaiting_approval, keeping an approval while the gates ask for nothing more; a person approves or
 * rejects; the tick expires what nobody executed; execute queues (and un-queues when Redis refused
 * the job); the orchestrator runs it and settles it completed (a mutation promoted) or failed.
 */
const PLAN_TRANSITIONS: Table<PlanState> = {
  draft: [validated, blocked, awaiting_approval, rejected, expired],
  validated: [validated, blocked, awaiting_approval, queued, rejected, expired],
  blocked: [validated, blocked, awaiting_approval, rejected, expired],
  awaiting_approval: [validated, blocked, awaiting_approval, approved, rejected, expired],
  approved: [validated, blocked, approved, queued, rejected, expired],
  queued: [validated, approved, executing, completed, PLAN.failed],
  executing: [completed, PLAN.failed],
  completed: [],
  failed: [],
  rejected: [],
  expired: [],
};

/**
 * Mutations: applied when their canary starts; skipped (freeze, budget, a moved stable revision) or
 * failed before it does; ended with their rollout (promoted, rolled back, retired) or failed when
 * the plan gives up on them.
 */
const MUTATION_TRANSITIONS: Table<MutationState> = {
  pending: [MUTATION.applied, MUTATION.skipped, MUTATION.failed, MUTATION.rolled_back, MUTATION.retired],
  applied: [MUTATION.promoted, MUTATION.rolled_back, MUTATION.retired, MUTATION.failed],
  promoted: [],
  rolled_back: [],
  retired: [],
  failed: [],
  skipped: [],
};

/**
 * Rollouts: pending while the adapter applies, running from the first canary step (a step or a
 * look keeps it running), paused for a person; routing flips back to stable from any active state
 * (rolled back, or retired when not better); promoted from running; failed before it ever served.
 */
const ROLLOUT_TRANSITIONS: Table<RolloutState> = {
  pending: [ROLLOUT.running, ROLLOUT.failed, ROLLOUT.rolled_back, ROLLOUT.retired],
  running: [ROLLOUT.running, ROLLOUT.paused, ROLLOUT.promoted, ROLLOUT.rolled_back, ROLLOUT.retired],
  paused: [ROLLOUT.paused, ROLLOUT.rolled_back, ROLLOUT.retired],
  promoted: [],
  rolled_back: [],
  retired: [],
  failed: [],
};

export interface LifecycleStates {
  plan: PlanState;
  mutation: MutationState;
  rollout: RolloutState;
}
export type LifecycleEntity = keyof LifecycleStates;

export const TRANSITIONS: { readonly [E in LifecycleEntity]: Table<LifecycleStates[E]> } = {
  plan: PLAN_TRANSITIONS,
  mutation: MUTATION_TRANSITIONS,
  rollout: ROLLOUT_TRANSITIONS,
};

export function canTransition<E extends LifecycleEntity>(
  entity: E,
  from: LifecycleStates[E],
  to: LifecycleStates[E],
): boolean {
  return (TRANSITIONS[entity][from] as readonly string[]).includes(to);
}

/** The states `to` can be reached from: what a compare-and-set into `to` may find. */
export function allowedFrom<E extends LifecycleEntity>(entity: E, to: LifecycleStates[E]): LifecycleStates[E][] {
  const table = TRANSITIONS[entity] as Table<LifecycleStates[E]>;
  return (Object.keys(table) as LifecycleStates[E][]).filter((from) => table[from].includes(to));
}

/** States nothing leaves. */
export function finalStates<E extends LifecycleEntity>(entity: E): LifecycleStates[E][] {
  const table = TRANSITIONS[entity] as Table<LifecycleStates[E]>;
  return (Object.keys(table) as LifecycleStates[E][]).filter((from) => table[from].length === 0);
}

/** A transition the table does not allow: a bug in the caller, never a race (races lose a compare-and-set). */
export class IllegalTransitionError extends Error {
  constructor(entity: LifecycleEntity, from: readonly string[], to: string) {
    super(`${entity}: ${from.join(' or ')} → ${to} is not a transition of its lifecycle`);
    this.name = 'IllegalTransitionError';
  }
}

/** Throws unless every one of `from` may become `to`. */
export function assertTransition<E extends LifecycleEntity>(
  entity: E,
  from: readonly LifecycleStates[E][],
  to: LifecycleStates[E],
): void {
  if (from.length === 0 || from.some((state) => !canTransition(entity, state, to)))
    throw new IllegalTransitionError(entity, from, to);
}
