/*
 * The benchmark's policy file is tuned for its default fleet of 30 agents. For another fleet size
 * the limits that count mutations (the hourly budgets, the daily PROMPT_PATCH budget, the rollouts
 * in progress at once) scale with the fleet, so they bind about as often; the rest stays.
 */

export const POLICY_FLEET_SIZE = 30;

interface FleetLimits {
  budgets?: {
    mutations_per_hour?: { global?: number; per_environment?: Record<string, number> };
    mutations_per_day_by_type?: Record<string, number>;
  };
  concurrency?: { max_concurrent_rollouts?: number };
}

/** A copy of `policy` with its fleet-sized limits scaled from 30 agents to `agents` (at least 2 of each). */
export function scaleFleetLimits<T extends FleetLimits>(policy: T, agents: number): T {
  const factor = agents / POLICY_FLEET_SIZE;
  const scale = (value: number | undefined) =>
    value === undefined ? undefined : Math.max(2, Math.round(value * factor));
  const copy = structuredClone(policy);
  const perHour = copy.budgets?.mutations_per_hour;
  if (perHour) {
    if (perHour.global !== undefined) perHour.global = scale(perHour.global);
    for (const env of Object.keys(perHour.per_environment ?? {}))
      perHour.per_environment![env] = scale(perHour.per_environment![env])!;
  }
  const perDay = copy.budgets?.mutations_per_day_by_type;
  if (perDay?.PROMPT_PATCH !== undefined) perDay.PROMPT_PATCH = scale(perDay.PROMPT_PATCH)!;
  if (copy.concurrency?.max_concurrent_rollouts !== undefined)
    copy.concurrency.max_concurrent_rollouts = scale(copy.concurrency.max_concurrent_rollouts);
  return copy;
}
