import { jsonEqual } from '@metaloop/core';
import {
  type Finding,
  type MutationInput,
  type PlanInput,
  type Severity,
  type SkippedFinding,
} from '@metaloop/contracts';
import { proposalFor } from './mutation-proposals';
import type { PlanningContext } from './planning-context';

/** One agent's mutation: the most urgent finding it answers, and the agent's other findings the same change answers. */
export interface AgentPick {
  finding: Finding;
  mutation: MutationInput;
  also: Finding[];
}

export interface Proposals {
  /** At most one per agent, most urgent first. */
  picks: AgentPick[];
  /** Every finding no pick answers, with the reason (and its kind, as the tick defers it). */
  skipped: SkippedFinding[];
  /** Findings no rule or registered candidate could fix (an LLM proposer may try these). */
  unmatched: Finding[];
}

export interface PlannerOutcome {
  /** The plan; without mutations when nothing fits, its rationale and `skipped` then say why. */
  plan: PlanInput;
  skipped: SkippedFinding[];
  unmatched: Finding[];
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const MAX_MUTATIONS = 20;
const MAX_FINDING_IDS = 100;
const PLANNABLE = new Set<Finding['status']>(['open', 'deferred']);
const EVIDENCE_KEYS = [
  'metric',
  'test',
  'statistic',
  'p_value',
  'effect_size',
  'ci',
  'n',
  'baseline_n',
  'value',
  'baseline_value',
  'window',
] as const;

/** Most severe first, then most confident; ids break ties so the same inputs give the same plan. */
function byUrgency(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    b.confidence - a.confidence ||
    a.finding_id.localeCompare(b.finding_id)
  );
}

const sameChange = (a: MutationInput, b: MutationInput) => a.type === b.type && jsonEqual(a.params, b.params);

/**
 * Findings → at most one typed mutation per agent (an agent carries one rollout at a time),
 * chosen from the agent's registered candidates and rule patches. Deterministic: the same
 * findings and context always give the same picks. Every finding that does not become a
 * mutation is reported with the reason; an agent busy with a rollout or a live plan gets none.
 */
export function proposeMutations(findings: readonly Finding[], context: PlanningContext): Proposals {
  const skipped: SkippedFinding[] = [];
  const skip = (finding: Finding, reason: string, deferral?: SkippedFinding['deferral']) =>
    skipped.push({
      finding_id: finding.finding_id,
      agent_id: finding.agent_id,
      type: finding.type,
      reason,
      ...(deferral ? { deferral } : {}),
    });
  const chosen = new Map<string, AgentPick>();
  const unmatched: Finding[] = [];

  for (const finding of [...findings].sort(byUrgency)) {
    const agent = context.agents.get(finding.agent_id);
    const taken = chosen.get(finding.agent_id);
    const livePlan = agent?.livePlan;
    if (!agent) skip(finding, `agent ${finding.agent_id} is not registered (or has no stable revision)`, 'no_mutation');
    else if (!PLANNABLE.has(finding.status)) skip(finding, `finding is ${finding.status}`);
    else if (agent.activeRolloutId)
      skip(finding, `agent has rollout ${agent.activeRolloutId} in progress`, 'agent_busy');
    else if (livePlan) {
      const waiting = livePlan.status === 'awaiting_approval' || livePlan.status === 'approved';
      skip(finding, `agent's plan ${livePlan.planId} is ${livePlan.status}`, waiting ? 'approval' : 'agent_busy');
    } else {
      const ruled = proposalFor(finding, agent);
      const offered = context.proposals?.get(finding.finding_id);
      const proposal = 'reason' in ruled && offered ? { mutation: offered } : ruled;
      const enabled = context.enabledTypes?.(agent.environment);
      if ('reason' in proposal) {
        if (taken)
          skip(
            finding,
            `agent already gets a ${taken.mutation.type} for a more urgent finding; ${proposal.reason}`,
            'agent_busy',
          );
        else {
          skip(finding, proposal.reason, 'no_mutation');
          unmatched.push(finding);
        }
      } else if (enabled && !enabled.has(proposal.mutation.type))
        skip(finding, `${proposal.mutation.type} is not enabled in ${agent.environment}`, 'no_mutation');
      else if (!taken) chosen.set(finding.agent_id, { finding, mutation: proposal.mutation, also: [] });
      else if (sameChange(taken.mutation, proposal.mutation)) taken.also.push(finding);
      else skip(finding, `agent already gets a ${taken.mutation.type} for a more urgent finding`, 'agent_busy');
    }
  }
  return { picks: [...chosen.values()], skipped, unmatched };
}

/** The plan of these picks (one per agent, in order); without mutations when there are none, saying why. */
export function planOf(
  picks: readonly AgentPick[],
  source: string,
  skipped: readonly SkippedFinding[] = [],
): PlanInput {
  if (picks.length === 0) {
    const reasons = skipped.map((s) => `${s.agent_id} ${s.type}: ${s.reason}`);
    return {
      source,
      finding_ids: [],
      mutations: [],
      confidence: 0,
      risk: 1,
      expected_impact: [],
      rationale: `nothing to roll out: ${reasons.length > 0 ? reasons.join('; ') : 'no findings to plan for'}`.slice(
        0,
        4000,
      ),
      evidence: {
        skipped: skipped
          .slice(0, 50)
          .map((s) => ({ finding_id: s.finding_id, agent_id: s.agent_id, reason: s.reason })),
      },
    };
  }
  const mutations = picks.map((p) => p.mutation);
  return {
    source,
    // Each pick's own finding first: a plan holds at most MAX_FINDING_IDS.
    finding_ids: [
      ...picks.map((p) => p.finding.finding_id),
      ...picks.flatMap((p) => p.also.map((f) => f.finding_id)),
    ].slice(0, MAX_FINDING_IDS),
    mutations,
    confidence: Math.min(...mutations.map((m) => m.confidence)),
    risk: Math.max(...mutations.map((m) => m.risk)),
    expected_impact: mutations.map((m) => m.expected_impact),
    rationale: mutations.map((m) => `${m.agent_id}: ${m.type} — ${m.rationale}`).join('\n'),
    evidence: {
      findings: picks
        .flatMap((p) => [p.finding, ...p.also])
        .map((finding) => ({
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
  };
}

/**
 * Findings → one plan of typed mutations for several agents (the REST `plan`), at most
 * `MAX_MUTATIONS` of them, most urgent first; without mutations when nothing fits.
 */
export function planFromFindings(
  findings: readonly Finding[],
  context: PlanningContext,
  source = 'api',
): PlannerOutcome {
  return planFromProposals(proposeMutations(findings, context), source);
}

/** The one plan of these proposals (the first `MAX_MUTATIONS` picks; the others are skipped, saying so). */
export function planFromProposals(proposals: Proposals, source: string): PlannerOutcome {
  const { picks, unmatched } = proposals;
  const skipped = [...proposals.skipped];
  for (const extra of picks.slice(MAX_MUTATIONS)) {
    for (const finding of [extra.finding, ...extra.also]) {
      skipped.push({
        finding_id: finding.finding_id,
        agent_id: finding.agent_id,
        type: finding.type,
        reason: `the plan already holds ${MAX_MUTATIONS} mutations`,
      });
    }
  }
  const kept = picks.slice(0, MAX_MUTATIONS);
  return { plan: planOf(kept, source, skipped), skipped, unmatched };
}

/** The part of a finding's evidence a plan carries (plans are bounded JSON). */
function pickEvidence(finding: Finding): Record<string, unknown> {
  return Object.fromEntries(
    EVIDENCE_KEYS.filter((key) => finding.evidence[key] !== undefined).map((key) => [key, finding.evidence[key]]),
  );
}
