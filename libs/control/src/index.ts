export { actorOf, systemActor } from './actor';
export { AuditLog } from './audit/audit-log.service';
export { FreezeControl } from './freeze/freeze.service';
export { budgetRemaining } from './budget/budget-limits';
export { budgetLimitsFromPolicy } from './budget/budget-from-policy';
export { MutationBudget } from './budget/mutation-budget.service';
export { ControlModule } from './control.module';
export { decisionView, rolloutView } from './rollouts/rollout-view';
export {
  DECISION,
  EXECUTING_PLAN_STATUSES,
  FINISHED_MUTATION_STATUSES,
  MUTATION,
  PAST_VALIDATION_PLAN_STATUSES,
  PLAN,
  REVERT,
  ROLLOUT,
  SETTLED_PLAN_STATUSES,
  UNEXECUTED_PLAN_STATUSES,
  type DecisionAction,
  type MutationState,
  type PlanState,
  type RolloutState,
} from './lifecycle/lifecycle-states';
export { PlanLifecycle } from './lifecycle/plan-lifecycle.service';
export { RolloutLifecycle } from './lifecycle/rollout-lifecycle.service';
export { RollbackModule } from './rollback/rollback.module';
export { RollbackService, type RetireReason } from './rollback/rollback.service';
export { RolloutMetrics } from './rollouts/rollout.metrics';
