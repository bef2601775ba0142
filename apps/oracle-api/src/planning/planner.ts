import type { Finding, MutationInput, PlanInput, Severity } from '@metaloop/events';
import { proposalFor } from './mutation-proposals';
import type { PlanningContext, SkippedFinding } from './planning-context';

export interface PlannerOutcome {
  /** Null when no finding led to a mutation; `skipped` then says why for each. */
  plan: PlanInput | null;
  skipped: SkippedFinding[];
  /** Findings no rule or registered candidate could fix (an LLM proposer may try these). */
  unmatched: Finding[];
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const MAX_MUTATIONS = 20;
const EVIDENCE_KEYS = ['metric', 'test', 'statistic', 'p_value', 'effect_size', 'ci', 'n', 'baseline_n', 'value', 'baseline_value', 'window'] as const;

/** Most severe first, then most confident; ids break ties so the same inputs give the same plan. */
function byUrgency(a: Finding, b: Finding): number {
  return SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.confidence - a.confidence || a.finding_id.localeCompare(b.finding_id);
}

/**
 * Findings → one plan of typed mutations, at most one per agent (an agent carries one rollout at
 * a time), chosen from the agent's registered candidates and rule patches. Deterministic: the
 * same findings and context always give the same plan. Every finding that does not become a
 * mutation is reported with the reason.
 */
export function planFromFindings(findings: readonly Finding[], context: PlanningContext, source = 'api'): PlannerOutcome {
  const skipped: SkippedFinding[] = [];
  const skip = (finding: Finding, reason: string) => skipped.push({ finding_id: finding.finding_id, agent_id: finding.agent_id, type: finding.type, reason });
  const chosen = new Map<string, { finding: Finding; mutation: MutationInput }>();
  const unmatched: Finding[] = [];

  for (const finding of [...findings].sort(byUrgency)) {
    const agent = context.agents.get(finding.agent_id);
    const taken = chosen.get(finding.agent_id);
    if (!agent) skip(finding, `agent ${finding.agent_id} is not registered`);
    else if (finding.status !== 'open') skip(finding, `finding is ${finding.status}`);
    else if (agent.activeRolloutId) skip(finding, `agent has rollout ${agent.activeRolloutId} in progress`);
    else if (taken) skip(finding, `agent already gets a ${taken.mutation.type} for a more urgent finding in this plan`);
    else if (chosen.size >= MAX_MUTATIONS) skip(finding, `the plan already holds ${MAX_MUTATIONS} mutations`);
    else {
      const ruled = proposalFor(finding, agent);
      const offered = context.proposals?.get(finding.finding_id);
      const proposal = 'reason' in ruled && offered ? { mutation: offered } : ruled;
      const enabled = context.enabledTypes?.(agent.environment);
      if ('reason' in proposal) {
        skip(finding, proposal.reason);
        unmatched.push(finding);
      }
      else if (enabled && !enabled.has(proposal.mutation.type)) skip(finding, `${proposal.mutation.type} is not enabled in ${agent.environment}`);
      else chosen.set(finding.agent_id, { finding, mutation: proposal.mutation });
    }
  }

  if (chosen.size === 0) return { plan: null, skipped, unmatched };
  const picks = [...chosen.values()];
  const mutations = picks.map((p) => p.mutation);
  return {
    plan: {
      source,
      finding_ids: picks.map((p) => p.finding.finding_id),
      mutations,
      confidence: Math.min(...mutations.map((m) => m.confidence)),
      risk: Math.max(...mutations.map((m) => m.risk)),
      expected_impact: mutations.map((m) => m.expected_impact),
      rationale: mutations.map((m) => `${m.agent_id}: ${m.type} — ${m.rationale}`).join('\n'),
      evidence: {
        findings: picks.map(({ finding }) => ({
          finding_id: finding.finding_id,
          type: finding.type,
          agent_id: finding.agent_id,
          revision_id: finding.revision_id,
          severity: finding.severity,
          confidence: finding.confidence,
          summary: finding.summary,
          evidence: pickEvidence(finding),
        })),
      },
    },
    skipped,
    unmatched,
  };
}

/** The part of a finding's evidence a plan carries (plans are bounded JSON). */
function pickEvidence(finding: Finding): Record<string, unknown> {
  return Object.fromEntries(EVIDENCE_KEYS.filter((key) => finding.evidence[key] !== undefined).map((key) => [key, finding.evidence[key]]));
}
