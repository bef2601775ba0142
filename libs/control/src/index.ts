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
