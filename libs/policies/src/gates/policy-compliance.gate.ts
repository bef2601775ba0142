import { paramKeyVerdict, type GateResult, type Mutation, type Plan } from '@metaloop/contracts';
import { adapterConstraints } from '../adapter-constraints';
import type { Policy } from '../policy.schema';
import type { AgentGateState, GateState } from './gate-state';
import { fail, mutationLabel, verdict, type Objection } from './verdict';

/**
 * Every mutation is about a known agent, of a type enabled in its environment, names only
 * registered candidates (or, for a detach, an attached adapter), touches only allowed params,
 * and the adapter's dry prepare (when run) accepted it.
 */
export function policyComplianceGate(policy: Policy, plan: Plan, state: GateState): GateResult {
  const objections = plan.mutations.flatMap((mutation, index): Objection[] => {
    const label = mutationLabel(mutation, index);
    const agent = state.agents[mutation.agent_id];
    if (!agent) return [fail(`${label}: unknown agent`, index)];
    const problems: string[] = [];
    if (!policy.actions.enabled[agent.environment].includes(mutation.type))
      problems.push(`${mutation.type} is not enabled in ${agent.environment}`);
    problems.push(...unregisteredTargets(mutation, agent));
    if (mutation.type === 'PARAM_SET') {
      const { params } = adapterConstraints(policy, agent.environment);
      for (const key of [...Object.keys(mutation.params.set), ...mutation.params.unset]) {
        const keyVerdict = paramKeyVerdict(params, key);
        if (keyVerdict !== 'allowed')
          problems.push(`param "${key}" is ${keyVerdict === 'forbidden' ? 'forbidden' : 'not in the allow list'}`);
      }
    }
    const prepared = state.mutations[index]?.prepare;
    if (prepared && !prepared.ok) problems.push(`the adapter refused it (${prepared.code}: ${prepared.reason})`);
    return problems.map((problem) => fail(`${label}: ${problem}`, index));
  });
  if (plan.mutations.length === 0) objections.push(fail('the plan holds no mutations: there is nothing to roll out'));
  return verdict('policy_compliance', objections, `${plan.mutations.length} mutation(s) within policy`, {
    mutations: plan.mutations.length,
  });
}

function unregisteredTargets(mutation: Mutation, agent: AgentGateState): string[] {
  const { candidates } = agent;
  switch (mutation.type) {
    case 'MODEL_SWAP':
      return candidates.model.includes(mutation.params.model)
        ? []
        : [`model "${mutation.params.model}" is not a registered candidate`];
    case 'PROMPT_PATCH':
      return mutation.params.source === 'candidate' && !candidates.prompt.includes(mutation.params.version)
        ? [`prompt version "${mutation.params.version}" is not a registered candidate`]
        : [];
    case 'LORA_APPLY': {
      const { action, adapter_id } = mutation.params;
      if (action === 'attach')
        return candidates.lora.includes(adapter_id)
          ? []
          : [`LoRA adapter "${adapter_id}" is not a registered candidate`];
      return agent.stable?.config.lora.includes(adapter_id) ? [] : [`LoRA adapter "${adapter_id}" is not attached`];
    }
    case 'ROUTE_CHANGE': {
      const routed = Object.keys(agent.stable?.config.route?.weights ?? {});
      return Object.keys(mutation.params.weights)
        .filter((backend) => !candidates.backend.includes(backend) && !routed.includes(backend))
        .map((backend) => `backend "${backend}" is neither registered nor routed to`);
    }
    case 'PARAM_SET':
    case 'MEMORY_UPDATE':
      return [];
  }
}
