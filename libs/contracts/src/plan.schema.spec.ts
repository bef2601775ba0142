import { mutationSchema, planSchema } from './plan.schema';

const impact = { metric: 'p95_latency_ms', direction: 'decrease', relative_change: 0.2 } as const;
const base = {
  agent_id: 'helpful_assistant',
  confidence: 0.8,
  risk: 3,
  expected_impact: impact,
  rationale: 'p95 up 30 % (p < 0.001)',
};

describe('mutationSchema', () => {
  it.each([
    ['PROMPT_PATCH from a candidate', { type: 'PROMPT_PATCH', params: { source: 'candidate', version: 'v2' } }],
    [
      'PROMPT_PATCH by rule',
      { type: 'PROMPT_PATCH', params: { source: 'rule', rule: 'conciseness', instruction: 'Be brief.' } },
    ],
    ['MODEL_SWAP', { type: 'MODEL_SWAP', params: { model: 'gpt-4o-mini' } }],
    ['LORA_APPLY', { type: 'LORA_APPLY', params: { action: 'attach', adapter_id: 'tone-v2' } }],
    ['ROUTE_CHANGE', { type: 'ROUTE_CHANGE', params: { weights: { a: 70, b: 30 } } }],
    ['PARAM_SET', { type: 'PARAM_SET', params: { set: { temperature: 0.3 } } }],
    ['MEMORY_UPDATE', { type: 'MEMORY_UPDATE', params: { facts: { add: [{ id: 'f1', text: 'EU plan' }] } } }],
  ])('accepts %s', (_name, typed) => {
    expect(mutationSchema.safeParse({ ...base, ...typed }).success).toBe(true);
  });

  it.each([
    ['params of another type', { type: 'MODEL_SWAP', params: { action: 'attach', adapter_id: 'x' } }, 'params.model'],
    ['an empty PARAM_SET', { type: 'PARAM_SET', params: {} }, 'params'],
    ['an empty MEMORY_UPDATE', { type: 'MEMORY_UPDATE', params: {} }, 'params'],
    ['a risk of 11', { type: 'MODEL_SWAP', params: { model: 'm' }, risk: 11 }, 'risk'],
    ['an unknown type', { type: 'DELETE_AGENT', params: {} }, 'type'],
  ])('rejects %s', (_name, typed, path) => {
    const result = mutationSchema.safeParse({ ...base, ...typed });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join('.')).toBe(path);
  });
});

describe('planSchema', () => {
  it('may hold no mutations (a plan that says why nothing fits) and fills defaults', () => {
    expect(
      planSchema.safeParse({ mutations: [], confidence: 0, risk: 1, rationale: 'nothing to roll out: no findings' })
        .success,
    ).toBe(true);
    expect(planSchema.safeParse({ mutations: [], confidence: 0, risk: 1, rationale: '' }).success).toBe(false);
    const plan = planSchema.parse({
      mutations: [{ ...base, type: 'MODEL_SWAP', params: { model: 'm' } }],
      confidence: 0.8,
      risk: 3,
      rationale: 'r',
    });
    expect(plan).toMatchObject({ source: 'api', finding_ids: [], expected_impact: [], evidence: {} });
  });
});
