import type { GateResult, Plan } from '@metaloop/contracts';
import type { Policy } from '../policy.schema';
import type { GateState } from './gate-state';
import { fail, verdict, type Objection } from './verdict';

/**
 * Each mutation becomes a rollout: no agent gets more than `max_rollouts_per_agent` (its running
 * one included), and running + new stays within `max_concurrent_rollouts`.
 */
export function concurrencySafetyGate(policy: Policy, plan: Plan, state: GateState): GateResult {
  const { max_concurrent_rollouts: maxRunning, max_rollouts_per_agent: perAgent } = policy.concurrency;
  const objections: Objection[] = [];
  const perAgentCount = new Map<string, number>();
  for (const mutation of plan.mutations)
    perAgentCount.set(mutation.agent_id, (perAgentCount.get(mutation.agent_id) ?? 0) + 1);
  for (const [agentId, planned] of perAgentCount) {
    const active = state.agents[agentId]?.active_rollout_id ?? null;
    if (planned + (active === null ? 0 : 1) <= perAgent) continue;
    objections.push(
      fail(
        active === null
          ? `agent ${agentId} would get ${planned} rollouts at once, at most ${perAgent} allowed`
          : `agent ${agentId} already has rollout ${active} running`,
        undefined,
        'agent_busy',
      ),
    );
  }
  const total = state.running_rollouts + plan.mutations.length;
  if (total > maxRunning)
    objections.push(
      fail(
        `${state.running_rollouts} rollout(s) running + ${plan.mutations.length} new exceeds the limit of ${maxRunning}`,
        undefined,
        'concurrency',
      ),
    );
  return verdict('concurrency_safety', objections, `${total} of ${maxRunning} concurrent rollouts, none conflicting`, {
    running_rollouts: state.running_rollouts,
    new_rollouts: plan.mutations.length,
    max_concurrent_rollouts: maxRunning,
    max_rollouts_per_agent: perAgent,
  });
}
