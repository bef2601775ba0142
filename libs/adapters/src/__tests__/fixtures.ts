import { agentConfigSchema, candidateSchema, DEFAULT_ADAPTER_CONSTRAINTS, type AgentConfig } from '@metaloop/contracts';
import type { AdapterContext } from '../adapter';
import type { AdapterState } from '../side-effects';

export const PARENT: AgentConfig = agentConfigSchema.parse({
  model: 'llama-3-8b',
  prompt: { version: 'v3', template: 'You are a support agent.\nAnswer politely.\nCite the docs.' },
  params: { temperature: 0.7, max_tokens: 512 },
  route: { weights: { 'eu-1': 80, 'us-1': 20 } },
  lora: ['tone-v1'],
  memory: [
    { id: 'plan', text: 'Customers are on the EU plan', weight: 0.9 },
    { id: 'hours', text: 'Support hours are 9-17 CET' },
  ],
  examples: [{ id: 'greet', input: 'Hi', output: 'Hello! How can I help?' }],
});

export const CANDIDATES = [
  { type: 'prompt', version: 'v4', template: 'You are a support agent.\nAnswer briefly.\nCite the docs.' },
  { type: 'model', model: 'llama-3-8b', provider: 'vllm', cost_per_1k_in: 0.0002, cost_per_1k_out: 0.0004 },
  { type: 'model', model: 'llama-3-70b', provider: 'vllm', cost_per_1k_in: 0.0009, cost_per_1k_out: 0.0018 },
  { type: 'model', model: 'gpt-4o-mini', provider: 'openai', cost_per_1k_in: 0.00015, cost_per_1k_out: 0.0006 },
  { type: 'lora', adapter_id: 'tone-v1', base_model: 'llama-3-8b', source: '/adapters/tone-v1' },
  { type: 'lora', adapter_id: 'tone-v2', base_model: 'llama-3-8b', source: '/adapters/tone-v2' },
  { type: 'lora', adapter_id: 'legal-70b', base_model: 'llama-3-70b', source: '/adapters/legal-70b' },
  { type: 'backend', backend_id: 'eu-1' },
  { type: 'backend', backend_id: 'us-1' },
  { type: 'backend', backend_id: 'ap-1', url: 'https://ap-1.example.com' },
].map((candidate) => candidateSchema.parse(candidate));

let operations = 0;

export function context(overrides: Partial<AdapterContext> = {}): AdapterContext {
  return {
    agentId: 'support_bot',
    environment: 'prod',
    parentRevisionId: 'rev-parent',
    parent: structuredClone(PARENT),
    candidates: CANDIDATES,
    constraints: DEFAULT_ADAPTER_CONSTRAINTS,
    operationId: `op-${++operations}`,
    ...overrides,
  };
}

/** A checkpoint that keeps every state it is given, as the orchestrator's row would. */
export function checkpoints(): {
  saved: AdapterState[];
  checkpoint: (state: AdapterState) => Promise<void>;
  last: () => AdapterState | null;
} {
  const saved: AdapterState[] = [];
  return { saved, checkpoint: async (state) => void saved.push(state), last: () => saved.at(-1) ?? null };
}

/** Small bounds so that timeouts and retries take milliseconds. */
export const FAST = { timeoutMs: 150, retries: 2, backoffMs: 5 };
