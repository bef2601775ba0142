import type { GateResult, Plan } from '@metaloop/contracts';
import type { Policy } from '../policy.schema';
import type { GateState } from './gate-state';
import { fail, mutationLabel, verdict, type Objection } from './verdict';

/** The plan and each mutation are at least `confidence.min` sure, and each rests on enough events. */
export function confidenceAndEvidenceGate(policy: Policy, plan: Plan, state: GateState): GateResult {
  const { min, min_evidence_events: minEvents } = policy.confidence;
  const objections: Objection[] = [];
  if (plan.confidence < min) objections.push(fail(`plan confidence ${plan.confidence} is below ${min}`));
  const mutations = plan.mutations.map((mutation, index) => {
    const label = mutationLabel(mutation, index);
    const events = state.mutations[index]?.evidence_events ?? 0;
    if (mutation.confidence < min)
      objections.push(fail(`${label}: confidence ${mutation.confidence} is below ${min}`, index));
    if (events < minEvents) objections.push(fail(`${label}: rests on ${events} event(s), needs ${minEvents}`, index));
    return { confidence: mutation.confidence, evidence_events: events };
  });
  return verdict(
    'confidence_and_evidence',
    objections,
    `confidence ≥ ${min} and ≥ ${minEvents} events behind every mutation`,
    {
      min_confidence: min,
      min_evidence_events: minEvents,
      plan_confidence: plan.confidence,
      mutations,
    },
  );
}
