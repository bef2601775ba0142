import { agentConfigSchema, candidateKey, candidateSchema, createAgentSchema } from './agent-config.schema';

const config = { model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'You are helpful.' } };

describe('agentConfigSchema', () => {
  it('fills the optional parts with empty defaults', () => {
    expect(agentConfigSchema.parse(config)).toEqual({ ...config, params: {}, lora: [], memory: [], examples: [] });
  });

  it('accepts the whole config', () => {
    const full = {
      ...config,
      params: { temperature: 0.2, top_p: 0.9, max_tokens: 512, timeout_ms: 30_000, presence_penalty: 0.1, stop: '###' },
      route: { weights: { 'backend-a': 80, 'backend-b': 20 } },
      lora: ['support-tone-v2'],
      memory: [{ id: 'm1', text: 'Customers are on the EU plan', weight: 0.9 }],
      examples: [{ id: 'e1', input: 'Hi', output: 'Hello! How can I help?' }],
    };
    expect(agentConfigSchema.parse(full).examples[0]).toEqual({
      id: 'e1',
      input: 'Hi',
      output: 'Hello! How can I help?',
      weight: 0.5,
    });
  });

  it.each([
    ['route weights that do not sum to 100', { route: { weights: { a: 50, b: 30 } } }, 'route.weights'],
    ['a temperature above 2', { params: { temperature: 3 } }, 'params.temperature'],
    ['a nested param', { params: { nested: { a: 1 } } }, 'params.nested'],
    ['an unknown field', { colour: 'blue' }, ''],
  ])('rejects %s', (_name, extra, path) => {
    const result = agentConfigSchema.safeParse({ ...config, ...extra });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join('.')).toBe(path);
  });
});

describe('createAgentSchema', () => {
  it('needs an id usable as a subject token and an environment', () => {
    expect(createAgentSchema.safeParse({ agent_id: 'a.b', environment: 'prod', config }).success).toBe(false);
    expect(createAgentSchema.safeParse({ agent_id: 'support_bot', environment: 'qa', config }).success).toBe(false);
    expect(createAgentSchema.parse({ agent_id: 'support_bot', environment: 'prod', config }).agent_id).toBe(
      'support_bot',
    );
  });
});

describe('candidateSchema', () => {
  it.each([
    [{ type: 'prompt', version: 'v2', template: 'Be concise.' }, 'v2'],
    [{ type: 'model', model: 'gpt-4o', provider: 'openai', cost_per_1k_in: 0.0025, cost_per_1k_out: 0.01 }, 'gpt-4o'],
    [{ type: 'lora', adapter_id: 'tone-v2', base_model: 'llama-3-8b', source: 's3://adapters/tone-v2' }, 'tone-v2'],
    [{ type: 'backend', backend_id: 'eu-1', url: 'https://eu-1.example.com' }, 'eu-1'],
  ])('registers %o under its key', (input, key) => {
    expect(candidateKey(candidateSchema.parse(input))).toBe(key);
  });

  it('rejects an unknown type', () => {
    expect(candidateSchema.safeParse({ type: 'dataset', id: 'x' }).success).toBe(false);
  });
});
