import type { GateResult, Plan } from '@metaloop/contracts';
import type { Policy } from '../policy.schema';
import type { GateState } from './gate-state';
import { fail, mutationLabel, needsApproval, verdict, type Objection } from './verdict';

/**
 * Risk above `risk.max` is refused; risk above `approval.high_risk.above` (when required) and
 * every mutation an approval rule matches wait for a person.
 */
export function riskApprovalGate(policy: Policy, plan: Plan, state: GateState): GateResult {
  const { max } = policy.risk;
  const { high_risk: highRisk, rules } = policy.approval;
  const objections: Objection[] = [];
  const judge = (risk: number, label: string, mutation?: number) => {
    if (risk > max) objections.push(fail(`${label}: risk ${risk} is above the maximum ${max}`, mutation));
    else if (highRisk.required && risk > highRisk.above)
      objections.push(needsApproval(`${label}: risk ${risk} is above ${highRisk.above}`, mutation));
  };
  judge(plan.risk, 'plan');
  plan.mutations.forEach((mutation, index) => {
    const label = mutationLabel(mutation, index);
    judge(mutation.risk, label, index);
    const environment = state.agents[mutation.agent_id]?.environment;
    if (!environment) return;
    for (const rule of rules) {
      const matches =
        (rule.types ?? [mutation.type]).includes(mutation.type) &&
        (rule.environments ?? [environment]).includes(environment);
      if (matches) objections.push(needsApproval(`${label}: ${rule.reason}`, index));
    }
  });
  return verdict('risk_approval', objections, `risk ${plan.risk} needs no approval`, {
    plan_risk: plan.risk,
    max_risk: max,
    approval_above: highRisk.required ? highRisk.above : null,
  });
}
