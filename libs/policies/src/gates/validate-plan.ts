import { GATE_NAMES, type GateName, type GateResult, type Plan } from '@metaloop/contracts';
import type { Policy } from '../policy.schema';
import { concurrencySafetyGate } from './concurrency-safety.gate';
import { confidenceAndEvidenceGate } from './confidence-and-evidence.gate';
import { freezeGate } from './freeze.gate';
import type { GateState } from './gate-state';
import { policyComplianceGate } from './policy-compliance.gate';
import { rateBudgetGate } from './rate-budget.gate';
import { resourceSafetyGate } from './resource-safety.gate';
import { riskApprovalGate } from './risk-approval.gate';
import { rollbackViabilityGate } from './rollback-viability.gate';

export type Gate = (policy: Policy, plan: Plan, state: GateState) => GateResult;

/** The SPEC gates, in GATE_NAMES order. */
export const GATES: Record<GateName, Gate> = {
  policy_compliance: policyComplianceGate,
  confidence_and_evidence: confidenceAndEvidenceGate,
  resource_safety: resourceSafetyGate,
  concurrency_safety: concurrencySafetyGate,
  rollback_viability: rollbackViabilityGate,
  rate_budget: rateBudgetGate,
  risk_approval: riskApprovalGate,
  freeze: freezeGate,
};

export interface PlanValidation {
  /** No gate failed. */
  overall_passed: boolean;
  /** Some gate asks for a person's approval (whether or not another failed). */
  requires_approval: boolean;
  gates: GateResult[];
}

/** Runs every gate; pure and deterministic. */
export function validatePlan(policy: Policy, plan: Plan, state: GateState): PlanValidation {
  const gates = GATE_NAMES.map((name) => GATES[name](policy, plan, state));
  return {
    overall_passed: gates.every((result) => result.status !== 'fail'),
    requires_approval: gates.some((result) => result.status === 'needs_approval'),
    gates,
  };
}
