import {
  ACTIVE_ROLLOUT_STATUSES,
  LIVE_ROLLOUT_STATUSES,
  PLAN_STATUSES,
  ROLLOUT_ACTIONS,
  ROLLOUT_STATUSES,
} from '@metaloop/contracts';
import { MutationStatus, PlanStatus, RevertStatus, RolloutAction, RolloutStatus } from '@metaloop/db';

/*
 * The states of plans, mutations and rollouts, as typed constants. The database enums (Prisma's)
 * are the source; the wire lists of the contracts lib must name the same states, which the
 * compiler checks below.
 */

/** Each state by name, e.g. `PLAN.queued`: a typo is a compile error, not a row nobody finds. */
export const PLAN = PlanStatus;
export const MUTATION = MutationStatus;
export const ROLLOUT = RolloutStatus;
export const REVERT = RevertStatus;
export const DECISION = RolloutAction;

export type PlanState = PlanStatus;
export type MutationState = MutationStatus;
export type RolloutState = RolloutStatus;
export type RevertState = RevertStatus;
export type DecisionAction = RolloutAction;

export const MUTATION_STATUSES = Object.values(MutationStatus);
export { ACTIVE_ROLLOUT_STATUSES, LIVE_ROLLOUT_STATUSES, PLAN_STATUSES, ROLLOUT_STATUSES };

/** Plans not yet handed to the orchestrator: still validated, decided, expired or rejected by oracle-api. */
export const UNEXECUTED_PLAN_STATUSES = [
  PLAN.draft,
  PLAN.validated,
  PLAN.blocked,
  PLAN.awaiting_approval,
  PLAN.approved,
] as const;
/** Plans past validation (handed over or closed): validating them again changes nothing. */
export const PAST_VALIDATION_PLAN_STATUSES = [
  PLAN.queued,
  PLAN.executing,
  PLAN.completed,
  PLAN.failed,
  PLAN.rejected,
  PLAN.expired,
] as const;
/** Plans the orchestrator runs: settled (completed or failed) once their last mutation finishes. */
export const EXECUTING_PLAN_STATUSES = [PLAN.queued, PLAN.executing] as const;
/** Where an executed plan ends. */
export const SETTLED_PLAN_STATUSES = [PLAN.completed, PLAN.failed] as const;

/** Mutations not finished yet: not started, or their canary is on. */
export const UNFINISHED_MUTATION_STATUSES = [MUTATION.pending, MUTATION.applied] as const;
/** Mutations that will not change again (a plan settles when all of its are here). */
export const FINISHED_MUTATION_STATUSES = [
  MUTATION.promoted,
  MUTATION.rolled_back,
  MUTATION.retired,
  MUTATION.failed,
  MUTATION.skipped,
] as const;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** Compiles only while the wire lists name exactly the database's states (and live rollouts are active ones). */
type _StatesAgree = [
  Holds<Same<(typeof PLAN_STATUSES)[number], PlanStatus>>,
  Holds<Same<(typeof ROLLOUT_STATUSES)[number], RolloutStatus>>,
  Holds<Same<(typeof ROLLOUT_ACTIONS)[number], RolloutAction>>,
  Holds<
    Same<
      (typeof ACTIVE_ROLLOUT_STATUSES)[number] | (typeof LIVE_ROLLOUT_STATUSES)[number],
      (typeof ACTIVE_ROLLOUT_STATUSES)[number]
    >
  >,
];
