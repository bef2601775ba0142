import type { Environment, GateResult, MutationType, Plan } from '@metaloop/contracts';
import type { Policy } from '../policy.schema';
import type { GateState } from './gate-state';
import { fail, verdict, type Objection } from './verdict';

interface Use {
  used: number;
  planned: number;
  limit: number;
}

/**
 * The plan fits the budgets: used + planned within the hourly limit globally and per
 * environment and the daily limit per mutation type; no agent is in its cooldown. The budget
 * is taken atomically elsewhere; this only compares what the caller counted.
 */
export function rateBudgetGate(policy: Policy, plan: Plan, state: GateState): GateResult {
  const { mutations_per_hour: hourly, mutations_per_day_by_type: daily } = policy.budgets;
  const usage = state.budget_usage;
  const byEnvironment = new Map<Environment, number>();
  const byType = new Map<MutationType, number>();
  for (const mutation of plan.mutations) {
    byType.set(mutation.type, (byType.get(mutation.type) ?? 0) + 1);
    const environment = state.agents[mutation.agent_id]?.environment;
    if (environment) byEnvironment.set(environment, (byEnvironment.get(environment) ?? 0) + 1);
  }

  const global: Use = { used: usage.last_hour_global, planned: plan.mutations.length, limit: hourly.global };
  const environments = Object.fromEntries(
    [...byEnvironment].map(([environment, planned]) => [
      environment,
      { used: usage.last_hour_by_environment[environment] ?? 0, planned, limit: hourly.per_environment[environment] },
    ]),
  ) as Record<string, Use>;
  const types = Object.fromEntries(
    [...byType].map(([type, planned]) => [
      type,
      { used: usage.last_day_by_type[type] ?? 0, planned, limit: daily[type] },
    ]),
  ) as Record<string, Use>;

  const objections: Objection[] = [];
  const over = (what: string, use: Use) => {
    if (use.used + use.planned > use.limit)
      objections.push(
        fail(`${what}: ${use.used} used + ${use.planned} planned exceeds ${use.limit}`, undefined, 'budget'),
      );
  };
  over('mutations in the last hour', global);
  for (const [environment, use] of Object.entries(environments))
    over(`mutations in ${environment} in the last hour`, use);
  for (const [type, use] of Object.entries(types)) over(`${type} mutations in the last day`, use);
  objections.push(...cooldownObjections(policy, plan, state));

  return verdict(
    'rate_budget',
    objections,
    `within budget (${global.used + global.planned} of ${global.limit} this hour)`,
    {
      global,
      environments,
      types,
      cooldown_minutes: policy.cooldown.per_agent_minutes,
    },
  );
}

function cooldownObjections(policy: Policy, plan: Plan, state: GateState): Objection[] {
  const now = Date.parse(state.now);
  const cooldownMs = policy.cooldown.per_agent_minutes * 60_000;
  const agents = new Set(plan.mutations.map((mutation) => mutation.agent_id));
  return [...agents].flatMap((agentId) => {
    const finished = state.agents[agentId]?.last_mutation_finished_at;
    if (!finished) return [];
    const until = Date.parse(finished) + cooldownMs;
    return now < until
      ? [fail(`agent ${agentId} is in its cooldown until ${new Date(until).toISOString()}`, undefined, 'cooldown')]
      : [];
  });
}
