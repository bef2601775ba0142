import {
  agentConfigSchema,
  mutationSchema,
  planSchema,
  type CandidateSpec,
  type Finding,
  type FindingInput,
} from '@metaloop/contracts';
import { planFromFindings, planOf, proposeMutations } from './planner';
import type { AgentPlanningState, PlanningContext } from './planning-context';
import { RULE_PATCHES } from './rule-patches';

let seq = 0;
function finding(fields: Partial<FindingInput> & Pick<FindingInput, 'type'>): Finding {
  seq += 1;
  return {
    finding_id: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    agent_id: 'alpha',
    revision_id: 'rev_alpha',
    severity: 'high',
    confidence: 0.9,
    summary: 'something measurable went wrong',
    dedup_key: `k${seq}`,
    status: 'open',
    occurrences: 1,
    ...fields,
    evidence: {
      test: 'two_proportion_z',
      statistic: -4.2,
      p_value: 0.00002,
      n: 1200,
      baseline_n: 1180,
      metric: 'success_rate',
      ...fields.evidence,
    },
  } as Finding;
}

function agent(overrides: Partial<AgentPlanningState> & { config?: object } = {}): AgentPlanningState {
  const { config, ...rest } = overrides;
  return {
    agentId: 'alpha',
    environment: 'dev',
    stableRevisionId: 'rev_alpha',
    stable: agentConfigSchema.parse({
      model: 'gpt-4o',
      prompt: { version: 'v1', template: 'You are helpful.' },
      ...config,
    }),
    activeRolloutId: null,
    candidates: [],
    recentlyRefused: new Set(),
    ...rest,
  };
}

const context = (...agents: AgentPlanningState[]): PlanningContext => ({
  agents: new Map(agents.map((a) => [a.agentId, a])),
});
const prompt = (version: string): CandidateSpec => ({ type: 'prompt', version, template: `Prompt ${version}` });
const DICL = { enabled: true, min_examples: 20, k: 4, min_similarity: 0.3 };
const stored = (active: number, policy = DICL) => ({ active, meanQuality: 0.91, policy });

describe('planFromFindings', () => {
  it.each([
    [
      'a success-rate drop → the newest untried registered prompt',
      finding({ type: 'performance_degradation' }),
      agent({ candidates: [prompt('v1'), prompt('v2'), prompt('v3')] }),
      { type: 'PROMPT_PATCH', params: { source: 'candidate', version: 'v3' }, risk: 3 },
    ],
    [
      'a success-rate drop with no prompt left → lower temperature',
      finding({ type: 'performance_degradation' }),
      agent({ config: { params: { temperature: 0.9 } }, candidates: [prompt('v1')] }),
      { type: 'PARAM_SET', params: { set: { temperature: 0.6 } }, risk: 2 },
    ],
    [
      'a latency regression → cap max_tokens',
      finding({ type: 'performance_degradation', evidence: { metric: 'p95_latency_ms', p_value: 0.001 } }),
      agent({ config: { params: { max_tokens: 1000 } } }),
      {
        type: 'PARAM_SET',
        params: { set: { max_tokens: 750 } },
        expected_impact: expect.objectContaining({ metric: 'p95_latency_ms', direction: 'decrease' }),
      },
    ],
    [
      'low ratings with complaints tagged verbose → the conciseness rule patch',
      finding({ type: 'dissatisfaction', evidence: { metric: 'rating', complaint_tags: { verbose: 4, rude: 1 } } }),
      agent({ candidates: [prompt('v2')] }),
      {
        type: 'PROMPT_PATCH',
        params: expect.objectContaining({ source: 'rule', rule: 'conciseness', position: 'append' }),
      },
    ],
    [
      'a complaint burst without tags → a registered prompt',
      finding({ type: 'complaint_burst', evidence: { metric: 'complaints', n: 9 } }),
      agent({ candidates: [prompt('v2')] }),
      {
        type: 'PROMPT_PATCH',
        params: { source: 'candidate', version: 'v2' },
        expected_impact: expect.objectContaining({ metric: 'complaints' }),
      },
    ],
    [
      'low ratings, no tag or prompt, enough good examples → dynamic examples on',
      finding({ type: 'dissatisfaction', evidence: { metric: 'rating' } }),
      agent({ examples: stored(25) }),
      {
        type: 'MEMORY_UPDATE',
        params: { dynamic_examples: { k: 4, min_similarity: 0.3, max_chars: 8_000 } },
        rationale: expect.stringMatching(/4 most similar of the 25 stored good examples, mean quality 0.91/),
      },
    ],
    [
      'a success drop with dynamic examples on → two more of them, before lowering temperature',
      finding({ type: 'performance_degradation' }),
      agent({
        config: { params: { temperature: 0.9 }, dynamic_examples: { k: 4, min_similarity: 0.5 } },
        examples: stored(40),
      }),
      { type: 'MEMORY_UPDATE', params: { dynamic_examples: { k: 6, min_similarity: 0.5, max_chars: 8_000 } } },
    ],
    [
      'usage imbalance over a route → shift at most 20 points to the lightest backend',
      finding({ type: 'usage_imbalance', evidence: { metric: 'traffic_share', value: 0.6 } }),
      agent({ config: { route: { weights: { a: 90, b: 10 } } } }),
      { type: 'ROUTE_CHANGE', params: { weights: { a: 70, b: 30 } }, risk: 5 },
    ],
    [
      'a retrain trigger → attach the newest LoRA adapter for the model',
      finding({ type: 'retrain_trigger', evidence: { metric: 'quality' } }),
      agent({
        candidates: [
          { type: 'lora', adapter_id: 'tone-v1', base_model: 'gpt-4o', source: 's3://a' },
          { type: 'lora', adapter_id: 'other-base', base_model: 'llama-3', source: 's3://b' },
          { type: 'lora', adapter_id: 'tone-v2', base_model: 'gpt-4o', source: 's3://c' },
        ],
      }),
      {
        type: 'LORA_APPLY',
        params: { action: 'attach', adapter_id: 'tone-v2' },
        rollback_spec: expect.objectContaining({ side_effects: ['lora_unload'] }),
      },
    ],
    [
      'a cost opportunity in prod → MODEL_SWAP with prod risk',
      finding({
        type: 'cost_opportunity',
        evidence: { metric: 'cost_usd', candidate_model: 'gpt-4o-mini', cost_saving_ratio: 0.6 },
      }),
      agent({
        environment: 'prod',
        candidates: [
          { type: 'model', model: 'gpt-4o-mini', provider: 'openai', cost_per_1k_in: 0.15, cost_per_1k_out: 0.6 },
        ],
      }),
      {
        type: 'MODEL_SWAP',
        params: { model: 'gpt-4o-mini' },
        risk: 8,
        expected_impact: expect.objectContaining({ relative_change: 0.6 }),
      },
    ],
  ])('%s', (_name, input, state, expected) => {
    const { plan, skipped } = planFromFindings([input], context(state));
    expect(skipped).toEqual([]);
    expect(plan.mutations).toEqual([expect.objectContaining({ agent_id: 'alpha', ...expected })]);
    // Everything the planner makes is a valid plan on the wire.
    expect(planSchema.safeParse(plan).success).toBe(true);
    expect(mutationSchema.parse(plan.mutations[0]).rationale).toContain(input.summary);
    expect(plan.mutations[0]!.rationale).toMatch(/p=/);
  });

  it.each([
    [
      'an unregistered agent',
      finding({ type: 'performance_degradation', agent_id: 'ghost' }),
      agent(),
      /not registered/,
    ],
    [
      'an agent with a rollout in progress',
      finding({ type: 'performance_degradation' }),
      agent({ activeRolloutId: 'r1', candidates: [prompt('v2')] }),
      /in progress/,
    ],
    [
      'a finding no longer open',
      finding({ type: 'performance_degradation', status: 'planned' }),
      agent({ candidates: [prompt('v2')] }),
      /planned/,
    ],
    [
      'a prompt rolled back lately',
      finding({ type: 'dissatisfaction' }),
      agent({ candidates: [prompt('v2')], recentlyRefused: new Set(['v2']) }),
      /no untried/,
    ],
    [
      'a latency regression without max_tokens',
      finding({ type: 'performance_degradation', evidence: { metric: 'p95_latency_ms' } }),
      agent(),
      /max_tokens/,
    ],
    [
      'imbalance with one backend',
      finding({ type: 'usage_imbalance' }),
      agent({ config: { route: { weights: { a: 100 } } } }),
      /two or more backends/,
    ],
    ['retraining with no adapter', finding({ type: 'retrain_trigger' }), agent(), /register the fine-tuned adapter/],
    [
      'low ratings with too few examples',
      finding({ type: 'dissatisfaction' }),
      agent({ examples: stored(19) }),
      /too few/,
    ],
    [
      'low ratings when DICL is off in the policy',
      finding({ type: 'dissatisfaction' }),
      agent({ examples: stored(500, { ...DICL, enabled: false }) }),
      /too few good examples/,
    ],
    [
      'dynamic examples rolled back lately',
      finding({ type: 'dissatisfaction' }),
      agent({ examples: stored(25), recentlyRefused: new Set(['dynamic_examples:k=4']) }),
      /dynamic examples/,
    ],
    [
      'dynamic examples at their most already',
      finding({ type: 'complaint_burst' }),
      agent({ config: { dynamic_examples: { k: 12 } }, examples: stored(500) }),
      /dynamic examples/,
    ],
    [
      'a cheaper model that is not registered',
      finding({ type: 'cost_opportunity', evidence: { candidate_model: 'x' } }),
      agent(),
      /not a registered model/,
    ],
    [
      'a rule patch already in the template',
      finding({ type: 'dissatisfaction', evidence: { complaint_tags: { verbose: 5 } } }),
      agent({ config: { prompt: { version: 'v1', template: `Be helpful. ${RULE_PATCHES[0].instruction}` } } }),
      /no tag a rule patch answers/,
    ],
  ])('skips %s and says why', (_name, input, state, reason) => {
    const { plan, skipped } = planFromFindings([input], context(state));
    expect(plan.mutations).toEqual([]);
    expect(plan.rationale).toMatch(reason);
    expect(planSchema.safeParse(plan).success).toBe(true);
    expect(skipped).toEqual([
      expect.objectContaining({ finding_id: input.finding_id, reason: expect.stringMatching(reason) }),
    ]);
  });

  it.each([
    [
      'no fix',
      finding({ type: 'performance_degradation', evidence: { metric: 'p95_latency_ms' } }),
      agent(),
      'no_mutation',
    ],
    [
      'a rollout in progress',
      finding({ type: 'dissatisfaction' }),
      agent({ activeRolloutId: 'r1', candidates: [prompt('v2')] }),
      'agent_busy',
    ],
    [
      'a queued plan',
      finding({ type: 'dissatisfaction' }),
      agent({ livePlan: { planId: 'p1', status: 'queued' }, candidates: [prompt('v2')] }),
      'agent_busy',
    ],
    [
      'a plan waiting for a person',
      finding({ type: 'dissatisfaction' }),
      agent({ livePlan: { planId: 'p1', status: 'awaiting_approval' }, candidates: [prompt('v2')] }),
      'approval',
    ],
  ])('says what kind of wait %s is, as the tick defers it', (_name, input, state, deferral) => {
    const { picks, skipped } = proposeMutations([input], context(state));
    expect(picks).toEqual([]);
    expect(skipped).toEqual([expect.objectContaining({ finding_id: input.finding_id, deferral })]);
  });

  it('plans a deferred finding again, and groups the findings one change answers', () => {
    const state = agent({ candidates: [prompt('v2')] });
    const low = finding({ type: 'dissatisfaction', status: 'deferred' });
    const burst = finding({ type: 'complaint_burst', severity: 'critical' });
    const { picks, skipped } = proposeMutations([low, burst], context(state));
    expect(skipped).toEqual([]);
    expect(picks).toEqual([
      expect.objectContaining({
        finding: burst,
        also: [low],
        mutation: expect.objectContaining({ params: { source: 'candidate', version: 'v2' } }),
      }),
    ]);
    expect(planOf(picks, 'tick').finding_ids).toEqual([burst.finding_id, low.finding_id]);
  });

  it('gives each agent one mutation, for its most urgent finding, and is deterministic', () => {
    const beta = agent({ agentId: 'beta', config: { params: { temperature: 1 } } });
    const alpha = agent({ candidates: [prompt('v2')], config: { params: { max_tokens: 400 } } });
    const findings = [
      finding({ type: 'performance_degradation', severity: 'medium', evidence: { metric: 'p95_latency_ms' } }),
      finding({ type: 'dissatisfaction', severity: 'critical' }),
      finding({ type: 'performance_degradation', agent_id: 'beta', severity: 'low', confidence: 0.8 }),
    ];
    const first = planFromFindings(findings, context(alpha, beta));
    expect(first.plan.mutations.map((m) => [m.agent_id, m.type])).toEqual([
      ['alpha', 'PROMPT_PATCH'],
      ['beta', 'PARAM_SET'],
    ]);
    expect(first.plan.finding_ids).toEqual([findings[1]!.finding_id, findings[2]!.finding_id]);
    expect(first.skipped).toEqual([
      expect.objectContaining({ finding_id: findings[0]!.finding_id, reason: expect.stringMatching(/more urgent/) }),
    ]);
    expect(first.plan).toMatchObject({ confidence: 0.64, risk: 3 });
    expect(planFromFindings([...findings].reverse(), context(beta, alpha))).toEqual(first);
  });

  it('leaves out mutation types the policy does not enable in the environment', () => {
    const state = agent({ environment: 'prod', candidates: [prompt('v2')] });
    const { plan, skipped } = planFromFindings([finding({ type: 'dissatisfaction' })], {
      ...context(state),
      enabledTypes: (env) => new Set(env === 'prod' ? ['PARAM_SET'] : ['PROMPT_PATCH']),
    });
    expect(plan.mutations).toEqual([]);
    expect(skipped[0]!.reason).toBe('PROMPT_PATCH is not enabled in prod');
  });
});
