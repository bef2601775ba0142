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
export { settlePlan } from './rollouts/plan-outcome';
export { RollbackModule } from './rollback/rollback.module';
export { RETIRE_REASONS, RollbackService, type RetireCause, type RetireReason, type RollbackCause } from './rollback/rollback.service';
export { MUTATION_RESULTS, ROLLBACK_LABELS, RolloutMetrics, type MutationResult } from './rollouts/rollout.metrics';
export { RollbackTargetNotFoundError } from './rollback/rollback.errors';
export { revertJobOptions } from './rollback/revert-job';
