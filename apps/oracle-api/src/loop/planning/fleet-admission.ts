import { planSchema, type DeferralReason, type GateResult, type PlanInput, type Severity } from '@metaloop/contracts';
import { validatePlan, type GateState, type Policy } from '@metaloop/policies';
import { planOf, type AgentPick } from './planner';

/** What the tick does with one agent's pick: make its plan, or leave its findings for a later tick. */
export type Admission =
  | { kind: 'plan'; pick: AgentPick; plan: PlanInput; needsApproval: boolean }
  | { kind: 'deferred'; pick: AgentPick; reason: DeferralReason; detail: string };

const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** severity × expected impact × traffic: the order in which the fleet's picks get the budget and the slots. */
export function pickPriority(pick: AgentPick, traffic: number): number {
  const severity = Math.max(...[pick.finding, ...pick.also].map((f) => SEVERITY_WEIGHT[f.severity]));
  return severity * Math.max(0.01, pick.mutation.expected_impact.relative_change) * Math.max(1, traffic);
}

/** Most urgent first; agent ids break ties, so the same inputs give the same order. */
export function rankPicks(picks: readonly AgentPick[], traffic: ReadonlyMap<string, number>): AgentPick[] {
  const priority = new Map(picks.map((p) => [p, pickPriority(p, traffic.get(p.finding.agent_id) ?? 0)]));
  return [...picks].sort(
    (a, b) => priority.get(b)! - priority.get(a)! || a.finding.agent_id.localeCompare(b.finding.agent_id),
  );
}

/** Gates whose refusal a later tick may see lifted without anything else changing. */
const WAITABLE_GATES = new Set(['concurrency_safety', 'rate_budget', 'freeze']);
/** When several limits refuse, the reason recorded is the one that lifts last. */
const CODE_ORDER: DeferralReason[] = ['agent_busy', 'cooldown', 'budget', 'concurrency'];

/**
 * Judges each agent's pick on its own with the SPEC gates, in rank order, against the state the
 * gates read for all of them (`state.mutations[i]` belongs to `ranked[i]`), counting each pick
 * admitted before it as one more rollout running and one more mutation of the budget used. So
 * one agent's refusal never blocks another's mutation, and the picks that do not fit now (budget,
 * concurrency, cooldown, freeze, another gate) are deferred with the reason. Pure.
 */
export function admitPicks(
  policy: Policy,
  ranked: readonly AgentPick[],
  state: GateState,
  source: string,
): Admission[] {
  let running = state.running_rollouts;
  const usage = structuredClone(state.budget_usage);
  return ranked.map((pick, index): Admission => {
    const plan = planOf([pick], source);
    const single: GateState = {
      ...state,
      running_rollouts: running,
      budget_usage: usage,
      mutations: [state.mutations[index] ?? { evidence_events: 0 }],
    };
    const validation = validatePlan(policy, planSchema.parse(plan), single);
    const failed = validation.gates.filter((g) => g.status === 'fail');
    if (failed.length > 0) return { kind: 'deferred', pick, ...deferral(failed) };
    if (!validation.requires_approval) {
      // Admitted: it will start a rollout and spend budget before the next pick is judged.
      const environment = state.agents[pick.mutation.agent_id]?.environment;
      running += 1;
      usage.last_hour_global += 1;
      if (environment)
        usage.last_hour_by_environment[environment] = (usage.last_hour_by_environment[environment] ?? 0) + 1;
      usage.last_day_by_type[pick.mutation.type] = (usage.last_day_by_type[pick.mutation.type] ?? 0) + 1;
    }
    return { kind: 'plan', pick, plan, needsApproval: validation.requires_approval };
  });
}

/** Why failing gates defer a pick: a freeze, another gate's objection, or the limit that lifts last. */
export function deferral(failed: readonly GateResult[]): { reason: DeferralReason; detail: string } {
  const detail = failed.map((g) => `${g.gate}: ${g.reason}`).join('; ');
  if (failed.some((g) => g.gate === 'freeze')) return { reason: 'freeze', detail };
  if (failed.some((g) => !WAITABLE_GATES.has(g.gate))) return { reason: 'gates', detail };
  const codes = new Set(failed.flatMap((g) => objectionCodes(g)));
  return { reason: CODE_ORDER.find((code) => codes.has(code)) ?? 'budget', detail };
}

function objectionCodes(gate: GateResult): string[] {
  const objections =
    (gate.details as { objections?: Array<{ status: string; code?: string }> } | undefined)?.objections ?? [];
  return objections.filter((o) => o.status === 'fail' && o.code).map((o) => o.code!);
}
