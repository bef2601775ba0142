import type { Policy } from '@metaloop/policies';
import type { BudgetLimits } from './budget-limits';

/** The policy's budget, concurrency and cooldown sections as the budget enforces them. */
export function budgetLimitsFromPolicy(policy: Policy): BudgetLimits {
  return {
    perHour: policy.budgets.mutations_per_hour.global,
    perHourByEnvironment: policy.budgets.mutations_per_hour.per_environment,
    perDayByType: policy.budgets.mutations_per_day_by_type,
    maxConcurrentRollouts: policy.concurrency.max_concurrent_rollouts,
    cooldownMinutes: policy.cooldown.per_agent_minutes,
  };
}
