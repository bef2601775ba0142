import type { CandidateSpec, ExpectedImpact, Finding, MutationInput, RollbackSpec } from '@metaloop/contracts';
import { mutationRisk } from './mutation-risk';
import type { AgentPlanningState } from './planning-context';
import { dynamicExamplesKey } from './refused-candidates';
import { ruleForComplaintTags } from './rule-patches';

/** A mutation for a finding, or why there is none. */
export type Proposal = { mutation: MutationInput } | { reason: string };

/** The most examples retrieval is raised to by the planner (more crowd the context for little gain). */
const MAX_DYNAMIC_K = 12;

/** Complaint tags needed before a rule patch is trusted over a registered prompt version. */
const MIN_TAGGED_COMPLAINTS = 3;

type Draft = Pick<MutationInput, 'type' | 'params'> & {
  /** How much the finding's confidence carries over to this fix. */
  prior: number;
  large: boolean;
  impact: ExpectedImpact;
  why: string;
};

function propose(finding: Finding, agent: AgentPlanningState, draft: Draft): Proposal {
  const sideEffects =
    draft.type === 'LORA_APPLY' ? ['lora_unload'] : draft.type === 'ROUTE_CHANGE' ? ['router_restore'] : [];
  const rollback: RollbackSpec = {
    restore_revision_id: agent.stableRevisionId,
    side_effects: sideEffects,
    automatic: true,
  };
  return {
    mutation: {
      type: draft.type,
      params: draft.params,
      agent_id: agent.agentId,
      confidence: round(finding.confidence * draft.prior, 3),
      risk: mutationRisk(draft.type, agent.environment, draft.large),
      expected_impact: draft.impact,
      rationale: `${draft.why} — because ${finding.summary}${citation(finding)}`,
      rollback_spec: rollback,
    } as MutationInput,
  };
}

/** The statistics a rationale cites, e.g. " (two_proportion_z: z=-4.1, p=0.00004, n=1200 vs 1180)". */
export function citation(finding: Finding): string {
  const e = finding.evidence;
  const parts = [
    e.statistic !== undefined ? `statistic=${round(e.statistic, 3)}` : undefined,
    e.p_value !== undefined ? `p=${e.p_value.toPrecision(2)}` : undefined,
    e.effect_size !== undefined ? `effect=${round(e.effect_size, 3)}` : undefined,
    e.n !== undefined ? `n=${e.n}${e.baseline_n !== undefined ? ` vs ${e.baseline_n}` : ''}` : undefined,
  ].filter(Boolean);
  return parts.length ? ` (${e.test ?? 'evidence'}: ${parts.join(', ')})` : '';
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const candidatesOf = <T extends CandidateSpec['type']>(agent: AgentPlanningState, type: T) =>
  agent.candidates.filter((c): c is Extract<CandidateSpec, { type: T }> => c.type === type);

/** The newest registered prompt version that is not live and was not rolled back lately. */
function untriedPrompt(agent: AgentPlanningState) {
  return candidatesOf(agent, 'prompt')
    .filter((c) => c.version !== agent.stable.prompt.version && !agent.recentlyRefused.has(c.version))
    .at(-1);
}

function promptCandidate(finding: Finding, agent: AgentPlanningState, impact: ExpectedImpact): Proposal | undefined {
  const prompt = untriedPrompt(agent);
  if (!prompt) return undefined;
  return propose(finding, agent, {
    type: 'PROMPT_PATCH',
    params: { source: 'candidate', version: prompt.version },
    prior: 0.9,
    large: false,
    impact,
    why: `switch the prompt from ${agent.stable.prompt.version} to the registered version ${prompt.version}`,
  });
}

function complaintTags(finding: Finding): Record<string, number> {
  const tags = finding.evidence['complaint_tags'];
  if (!tags || typeof tags !== 'object') return {};
  return Object.fromEntries(
    Object.entries(tags as Record<string, unknown>).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    ),
  );
}

function rulePatch(finding: Finding, agent: AgentPlanningState, impact: ExpectedImpact): Proposal | undefined {
  const patch = ruleForComplaintTags(complaintTags(finding), MIN_TAGGED_COMPLAINTS);
  if (!patch || agent.stable.prompt.template.includes(patch.instruction)) return undefined;
  if (agent.recentlyRefused.has(`${agent.stable.prompt.version}:${patch.rule}`)) return undefined;
  return propose(finding, agent, {
    type: 'PROMPT_PATCH',
    params: { source: 'rule', rule: patch.rule, instruction: patch.instruction, position: 'append' },
    prior: 0.9,
    large: false,
    impact,
    why: `apply the ${patch.rule} rule patch to prompt ${agent.stable.prompt.version}, as the complaints' tags ask`,
  });
}

/**
 * Seed 000's DICL: with enough good examples stored, put the most similar ones in the agent's
 * context — turn dynamic examples on, or give it two more when they are on already.
 */
function dynamicExamples(finding: Finding, agent: AgentPlanningState, impact: ExpectedImpact): Proposal | undefined {
  const examples = agent.examples;
  if (!examples?.policy.enabled || examples.active < examples.policy.min_examples) return undefined;
  const current = agent.stable.dynamic_examples;
  const k = current ? Math.min(current.k + 2, MAX_DYNAMIC_K) : examples.policy.k;
  if ((current && k <= current.k) || agent.recentlyRefused.has(dynamicExamplesKey(k))) return undefined;
  const quality = examples.meanQuality === null ? '' : `, mean quality ${round(examples.meanQuality, 2)}`;
  return propose(finding, agent, {
    type: 'MEMORY_UPDATE',
    params: {
      dynamic_examples: {
        k,
        min_similarity: current?.min_similarity ?? examples.policy.min_similarity,
        max_chars: current?.max_chars ?? 8_000,
      },
    },
    prior: 0.8,
    large: false,
    impact,
    why: current
      ? `retrieve ${k} instead of ${current.k} similar examples per query from the ${examples.active} stored good examples${quality}`
      : `give each query the ${k} most similar of the ${examples.active} stored good examples${quality} (dynamic examples)`,
  });
}

function lowerTemperature(finding: Finding, agent: AgentPlanningState, impact: ExpectedImpact): Proposal | undefined {
  const temperature = agent.stable.params.temperature;
  if (temperature === undefined || temperature <= 0.4) return undefined;
  const next = round(Math.max(0.2, temperature - 0.3), 2);
  return propose(finding, agent, {
    type: 'PARAM_SET',
    params: { set: { temperature: next } },
    prior: 0.8,
    large: (temperature - next) / temperature > 0.5,
    impact,
    why: `lower temperature from ${temperature} to ${next} for steadier answers`,
  });
}

function fewerTokens(finding: Finding, agent: AgentPlanningState): Proposal | undefined {
  const maxTokens = agent.stable.params.max_tokens;
  if (maxTokens === undefined || maxTokens < 128) return undefined;
  const next = Math.round(maxTokens * 0.75);
  return propose(finding, agent, {
    type: 'PARAM_SET',
    params: { set: { max_tokens: next } },
    prior: 0.85,
    large: false,
    impact: {
      metric: 'p95_latency_ms',
      direction: 'decrease',
      relative_change: 0.15,
      summary: 'shorter generations finish sooner',
    },
    why: `cap max_tokens at ${next} instead of ${maxTokens}`,
  });
}

function first(...proposals: Array<() => Proposal | undefined>): Proposal | undefined {
  for (const make of proposals) {
    const proposal = make();
    if (proposal) return proposal;
  }
  return undefined;
}

const RATING_UP: ExpectedImpact = { metric: 'rating', direction: 'increase', relative_change: 0.1 };
const SUCCESS_UP: ExpectedImpact = { metric: 'success_rate', direction: 'increase', relative_change: 0.05 };

function degradation(finding: Finding, agent: AgentPlanningState): Proposal {
  const metric = String(finding.evidence.metric ?? '');
  if (metric.includes('latency')) {
    return (
      fewerTokens(finding, agent) ?? {
        reason:
          'latency regressed, but max_tokens is not set (or already small) and no faster registered model is measured',
      }
    );
  }
  return (
    first(
      () => trainedAdapter(finding, agent, SUCCESS_UP),
      () => promptCandidate(finding, agent, SUCCESS_UP),
      () => dynamicExamples(finding, agent, SUCCESS_UP),
      () => lowerTemperature(finding, agent, SUCCESS_UP),
    ) ?? {
      reason:
        'success rate dropped, but no untried registered prompt version exists, too few good examples are stored for dynamic examples, and temperature is already ≤ 0.4',
    }
  );
}

function dissatisfaction(finding: Finding, agent: AgentPlanningState): Proposal {
  const impact =
    finding.type === 'complaint_burst'
      ? { metric: 'complaints', direction: 'decrease' as const, relative_change: 0.3 }
      : RATING_UP;
  return (
    first(
      () => trainedAdapter(finding, agent, impact),
      () => rulePatch(finding, agent, impact),
      () => promptCandidate(finding, agent, impact),
      () => dynamicExamples(finding, agent, impact),
    ) ?? {
      reason:
        'users are unhappy, but the complaints carry no tag a rule patch answers, no untried registered prompt version exists, and too few good examples are stored for dynamic examples',
    }
  );
}

function imbalance(finding: Finding, agent: AgentPlanningState): Proposal {
  const weights = agent.stable.route?.weights;
  const backends = Object.entries(weights ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (backends.length < 2)
    return { reason: 'traffic is imbalanced, but the agent has no route over two or more backends to rebalance' };
  const heaviest = backends.reduce((a, b) => (b[1] > a[1] ? b : a));
  const lightest = backends.reduce((a, b) => (b[1] < a[1] ? b : a));
  const shift = Math.min(20, Math.floor((heaviest[1] - lightest[1]) / 2));
  if (shift < 1) return { reason: 'traffic is imbalanced, but the route is already even across its backends' };
  const next = Object.fromEntries(
    backends.map(([id, w]) => [id, id === heaviest[0] ? w - shift : id === lightest[0] ? w + shift : w]),
  );
  return propose(finding, agent, {
    type: 'ROUTE_CHANGE',
    params: { weights: next },
    prior: 0.8,
    large: shift > 10,
    impact: {
      metric: 'traffic_share',
      direction: 'decrease',
      relative_change: shift / 100,
      summary: `spread load from ${heaviest[0]} to ${lightest[0]}`,
    },
    why: `move ${shift} points of traffic from backend ${heaviest[0]} to ${lightest[0]}`,
  });
}

/** LoRA adapters for the stable model, not attached and not refused lately: the newest trained one first, else the newest registered. */
function untriedAdapters(agent: AgentPlanningState) {
  const adapters = candidatesOf(agent, 'lora').filter(
    (c) =>
      c.base_model === agent.stable.model &&
      !agent.stable.lora.includes(c.adapter_id) &&
      !agent.recentlyRefused.has(c.adapter_id),
  );
  const trained = adapters.filter((c) => agent.trained?.has(c.adapter_id)).at(-1);
  return { trained, any: trained ?? adapters.at(-1) };
}

/** Seed 001: what the trainer made of the agent's own feedback is the challenger, cited with its request and dataset. */
function attachAdapter(
  finding: Finding,
  agent: AgentPlanningState,
  adapter: Extract<CandidateSpec, { type: 'lora' }>,
  impact: ExpectedImpact,
): Proposal {
  const training = agent.trained?.get(adapter.adapter_id);
  return propose(finding, agent, {
    type: 'LORA_APPLY',
    params: { action: 'attach', adapter_id: adapter.adapter_id },
    prior: 0.85,
    large: false,
    impact,
    why: training
      ? `attach the LoRA adapter ${adapter.adapter_id} (base ${adapter.base_model}) trained for training request ${training.trainingRequestId} on dataset ${training.datasetId}`
      : `attach the registered LoRA adapter ${adapter.adapter_id} (base ${adapter.base_model})`,
  });
}

/** A trained adapter is tried first for the agent's next quality finding too. */
function trainedAdapter(finding: Finding, agent: AgentPlanningState, impact: ExpectedImpact): Proposal | undefined {
  const { trained } = untriedAdapters(agent);
  return trained && attachAdapter(finding, agent, trained, impact);
}

function retrain(finding: Finding, agent: AgentPlanningState): Proposal {
  const adapter = untriedAdapters(agent).any;
  if (!adapter) {
    return {
      reason: `retraining is due: a training request goes to the trainer, which is to register the fine-tuned adapter for ${agent.stable.model} as a LoRA candidate (proposed next)`,
    };
  }
  return attachAdapter(finding, agent, adapter, { metric: 'quality', direction: 'increase', relative_change: 0.1 });
}

function cheaperModel(finding: Finding, agent: AgentPlanningState): Proposal {
  const wanted = finding.evidence['candidate_model'];
  const model = candidatesOf(agent, 'model').find((c) => c.model === wanted);
  if (!model)
    return { reason: `the cheaper model ${String(wanted)} is not a registered model candidate of this agent` };
  if (model.model === agent.stable.model) return { reason: `the agent already runs ${model.model}` };
  if (agent.recentlyRefused.has(model.model))
    return { reason: `a swap to ${model.model} was rolled back or rejected recently` };
  const saving = Number(finding.evidence['cost_saving_ratio'] ?? finding.evidence.effect_size ?? 0.2);
  return propose(finding, agent, {
    type: 'MODEL_SWAP',
    params: { model: model.model },
    prior: 0.95,
    large: false,
    impact: {
      metric: 'cost_usd',
      direction: 'decrease',
      relative_change: Math.min(10, Math.max(0, saving)),
      summary: 'same measured quality for less',
    },
    why: `swap the model from ${agent.stable.model} to the cheaper ${model.model}`,
  });
}

const BY_TYPE: Record<Finding['type'], (finding: Finding, agent: AgentPlanningState) => Proposal> = {
  performance_degradation: degradation,
  dissatisfaction,
  complaint_burst: dissatisfaction,
  usage_imbalance: imbalance,
  retrain_trigger: retrain,
  cost_opportunity: cheaperModel,
};

export function proposalFor(finding: Finding, agent: AgentPlanningState): Proposal {
  return BY_TYPE[finding.type](finding, agent);
}
