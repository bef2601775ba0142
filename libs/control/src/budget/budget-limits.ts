import type { Environment, MutationType } from '@metaloop/contracts';

/** The mutation budget of the policy, as plain numbers (libs/policies maps its YAML onto this). */
export interface BudgetLimits {
  /** Rollouts started in the last hour, all environments together. */
  perHour: number;
  perHourByEnvironment: Partial<Record<Environment, number>>;
  /** Rollouts started in the last 24 h per mutation type, e.g. MODEL_SWAP: 2. */
  perDayByType: Partial<Record<MutationType, number>>;
  /** Rollouts pending, running or paused at once, all agents together. */
  maxConcurrentRollouts: number;
  /** Quiet time of an agent after its last rollout finished. */
  cooldownMinutes: number;
}

export interface BudgetUsage {
  lastHour: number;
  lastHourByEnvironment: Record<Environment, number>;
  lastDayByType: Partial<Record<MutationType, number>>;
  activeRollouts: number;
}

export type BudgetRefusalCode =
  | 'unknown_agent'
  | 'agent_busy'
  | 'cooldown'
  | 'hourly_budget'
  | 'environment_budget'
  | 'action_budget'
  | 'concurrency';

export interface BudgetRefusal {
  code: BudgetRefusalCode;
  reason: string;
}

export interface AgentBudgetState {
  environment: Environment;
  activeRolloutId: string | null;
  lastFinishedAt: Date | null;
}

/**
 * Why one more `mutationType` rollout on this agent would break the budget, or null when it
 * fits. Pure, so the SPEC gates' view and the reservation can never disagree.
 */
export function budgetRefusal(
  limits: BudgetLimits,
  usage: BudgetUsage,
  agent: AgentBudgetState,
  mutationType: MutationType,
  now: Date,
): BudgetRefusal | null {
  if (agent.activeRolloutId)
    return { code: 'agent_busy', reason: `agent already has rollout ${agent.activeRolloutId} in progress` };
  if (agent.lastFinishedAt) {
    const quietUntil = agent.lastFinishedAt.getTime() + limits.cooldownMinutes * 60_000;
    if (quietUntil > now.getTime()) {
      return {
        code: 'cooldown',
        reason: `agent is cooling down until ${new Date(quietUntil).toISOString()} (${limits.cooldownMinutes} min after its last rollout)`,
      };
    }
  }
  if (usage.activeRollouts + 1 > limits.maxConcurrentRollouts) {
    return {
      code: 'concurrency',
      reason: `${usage.activeRollouts} rollouts in progress, at most ${limits.maxConcurrentRollouts} at once`,
    };
  }
  if (usage.lastHour + 1 > limits.perHour) {
    return { code: 'hourly_budget', reason: `${usage.lastHour} mutations in the last hour, at most ${limits.perHour}` };
  }
  const envLimit = limits.perHourByEnvironment[agent.environment];
  const envUsed = usage.lastHourByEnvironment[agent.environment];
  if (envLimit !== undefined && envUsed + 1 > envLimit) {
    return {
      code: 'environment_budget',
      reason: `${envUsed} mutations in ${agent.environment} in the last hour, at most ${envLimit}`,
    };
  }
  const typeLimit = limits.perDayByType[mutationType];
  const typeUsed = usage.lastDayByType[mutationType] ?? 0;
  if (typeLimit !== undefined && typeUsed + 1 > typeLimit) {
    return {
      code: 'action_budget',
      reason: `${typeUsed} ${mutationType} mutations in the last 24 h, at most ${typeLimit}`,
    };
  }
  return null;
}

/** What is left of each window, for the budget-remaining gauges. */
export function budgetRemaining(limits: BudgetLimits, usage: BudgetUsage) {
  const environments = Object.entries(limits.perHourByEnvironment) as Array<[Environment, number]>;
  const types = Object.entries(limits.perDayByType) as Array<[MutationType, number]>;
  return {
    perHour: Math.max(0, limits.perHour - usage.lastHour),
    perHourByEnvironment: Object.fromEntries(
      environments.map(([env, limit]) => [env, Math.max(0, limit - usage.lastHourByEnvironment[env])]),
    ),
    perDayByType: Object.fromEntries(
      types.map(([type, limit]) => [type, Math.max(0, limit - (usage.lastDayByType[type] ?? 0))]),
    ),
    concurrentRollouts: Math.max(0, limits.maxConcurrentRollouts - usage.activeRollouts),
  };
}
