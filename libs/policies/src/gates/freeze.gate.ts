import type { GateResult, Plan } from '@metaloop/contracts';
import type { Policy } from '../policy.schema';
import type { GateState } from './gate-state';
import { fail, verdict, type Objection } from './verdict';

/** Nothing new starts while the system is frozen, at runtime (`POST freeze`) or by the policy file. */
export function freezeGate(policy: Policy, _plan: Plan, state: GateState): GateResult {
  const objections: Objection[] = [];
  if (state.freeze.frozen) objections.push(fail(`frozen${state.freeze.reason ? `: ${state.freeze.reason}` : ''}`));
  if (policy.freeze.frozen)
    objections.push(fail(`frozen by the policy file${policy.freeze.reason ? `: ${policy.freeze.reason}` : ''}`));
  return verdict('freeze', objections, 'not frozen', {
    runtime_frozen: state.freeze.frozen,
    policy_frozen: policy.freeze.frozen,
  });
}
