export { actorOf, systemActor } from './actor';
export { AuditLog, auditView, type AuditRecord } from './audit/audit-log.service';
export { FreezeControl } from './freeze/freeze.service';
export {
  budgetRefusal,
  budgetRemaining,
  type AgentBudgetState,
  type BudgetLimits,
  type BudgetRefusal,
  type BudgetRefusalCode,
  type BudgetUsage,
} from './budget/budget-limits';
export { budgetLimitsFromPolicy } from './budget/budget-from-policy';
export { MutationBudget, type Reservation } from './budget/mutation-budget.service';
export { ControlModule } from './control.module';
export { decisionView, percentOf, rolloutView } from './rollouts/rollout-view';
export {
  DECISION,
  EXECUTING_PLAN_STATUSES,
  FINISHED_MUTATION_STATUSES,
  MUTATION,
  MUTATION_STATUSES,
  PAST_VALIDATION_PLAN_STATUSES,
  PLAN,
  REVERT,
  ROLLOUT,
  SETTLED_PLAN_STATUSES,
  UNEXECUTED_PLAN_STATUSES,
  UNFINISHED_MUTATION_STATUSES,
  type DecisionAction,
  type MutationState,
  type PlanState,
  type RevertState,
  type RolloutState,
} from './lifecycle/lifecycle-states';
export { allowedFrom, assertTransition, canTransition, finalStates, IllegalTransitionError, TRANSITIONS, type LifecycleEntity, type LifecycleStates } from './lifecycle/transitions';
export { PlanLifecycle, type PlanDraft, type PlanMoveNote, type UnstartedMutation } from './lifecycle/plan-lifecycle.service';
export { RolloutLifecycle, type LookedAt, type RolloutDraft, type RolloutEnding } from './lifecycle/rollout-lifecycle.service';
export { RollbackModule } from './rollback/rollback.module';
export { RETIRE_REASONS, RollbackService, type RetireCause, type RetireReason, type RollbackCause } from './rollback/rollback.service';
export { MUTATION_RESULTS, ROLLBACK_LABELS, RolloutMetrics, type MutationResult } from './rollouts/rollout.metrics';
export { RollbackTargetNotFoundError } from './rollback/rollback.errors';
export { revertJobOptions } from './rollback/revert-job';
