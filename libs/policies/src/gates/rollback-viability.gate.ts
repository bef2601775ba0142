import type { GateResult, Plan } from '@metaloop/contracts';
import type { Policy } from '../policy.schema';
import type { GateState } from './gate-state';
import { fail, mutationLabel, needsApproval, verdict, type Objection } from './verdict';

/**
 * Every mutation can be undone: its agent has a stable revision to return to (the one the
 * rollback spec names, if it names one), each external side effect has a known revert, and
 * rollback is automatic; when it is not (or auto-rollback is off) a person must watch it.
 */
export function rollbackViabilityGate(policy: Policy, plan: Plan, state: GateState): GateResult {
  const revertible = policy.rollback.revertible_side_effects;
  const objections: Objection[] = [];
  if (!policy.auto_rollback.enabled)
    objections.push(needsApproval('auto-rollback is off: a person must watch the rollout'));
  plan.mutations.forEach((mutation, index) => {
    const agent = state.agents[mutation.agent_id];
    if (!agent) return;
    const label = mutationLabel(mutation, index);
    const spec = mutation.rollback_spec;
    if (agent.stable === null) objections.push(fail(`${label}: the agent has no stable revision to return to`, index));
    else if (spec?.restore_revision_id != null && spec.restore_revision_id !== agent.stable.revision_id)
      objections.push(
        fail(
          `${label}: restores ${spec.restore_revision_id}, but the stable revision is ${agent.stable.revision_id}`,
          index,
        ),
      );
    for (const effect of spec?.side_effects ?? []) {
      if (!revertible.includes(effect))
        objections.push(fail(`${label}: side effect "${effect}" has no known revert`, index));
    }
    if (spec?.automatic === false) objections.push(needsApproval(`${label}: its rollback is not automatic`, index));
  });
  return verdict('rollback_viability', objections, 'every mutation can return to its stable revision', {
    auto_rollback: policy.auto_rollback.enabled,
    revertible_side_effects: revertible,
  });
}
