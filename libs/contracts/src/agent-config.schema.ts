import { z } from 'zod';
import { storableString } from './storable-text';
import { subjectToken } from './feedback-event.schema';
import { LIMITS } from './limits';

/** Ids of things a config refers to (prompt versions, backends, adapters, memory facts). */
export const ref = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9_.:/@-]+$/, 'letters, digits and _ . : / @ - only');

export const promptSchema = z.strictObject({
  version: ref,
  template: storableString().min(1).max(65_536),
});

/** Generation parameters; the usual ones are typed, others pass as scalars. */
export const paramsSchema = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    max_tokens: z.number().int().min(1).max(1_000_000).optional(),
    timeout_ms: z.number().int().min(1).max(600_000).optional(),
  })
  .catchall(z.union([z.number().finite(), storableString().max(LIMITS.shortText), z.boolean()]))
  .refine((p) => Object.keys(p).length <= 64, 'at most 64 params');

/** Traffic split over backends (or models), in percent; the weights sum to 100. */
export const routeSchema = z.strictObject({
  weights: z
    .record(ref, z.number().min(0).max(100))
    .refine((w) => Object.keys(w).length >= 1, 'at least one backend')
    .refine((w) => Math.abs(Object.values(w).reduce((a, b) => a + b, 0) - 100) < 1e-6, 'weights must sum to 100'),
});

export const memoryFactSchema = z.strictObject({
  id: ref,
  text: storableString().min(1).max(LIMITS.shortText),
  /** Higher weight = more important when the context budget is short. */
  weight: z.number().min(0).max(1).default(0.5),
});

export const fewShotExampleSchema = z.strictObject({
  id: ref,
  input: storableString().min(1).max(LIMITS.longText),
  output: storableString().min(1).max(LIMITS.longText),
  weight: z.number().min(0).max(1).default(0.5),
});

/**
 * Dynamic few-shot examples (DICL, seed 000): with this set, a config fetch that carries the
 * agent's query returns the k stored examples most similar to it (cosine ≥ min_similarity),
 * within max_chars of input + output. Beside the static `examples`, which keep their list type.
 */
export const dynamicExamplesSchema = z.strictObject({
  k: z.number().int().min(1).max(20).default(4),
  min_similarity: z.number().min(0).max(1).default(0.3),
  max_chars: z.number().int().min(200).max(65_536).default(8_000),
});

/** What an agent runs with: one immutable revision of it. */
export const agentConfigSchema = z.strictObject({
  model: ref,
  prompt: promptSchema,
  params: paramsSchema.default({}),
  route: routeSchema.optional(),
  /** Attached LoRA adapter ids. */
  lora: z.array(ref).max(16).default([]),
  memory: z.array(memoryFactSchema).max(500).default([]),
  examples: z.array(fewShotExampleSchema).max(200).default([]),
  dynamic_examples: dynamicExamplesSchema.optional(),
});

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
export type AgentConfig = z.output<typeof agentConfigSchema>;
export type MemoryFact = z.output<typeof memoryFactSchema>;
export type FewShotExample = z.output<typeof fewShotExampleSchema>;
export type DynamicExamples = z.output<typeof dynamicExamplesSchema>;

export const environmentSchema = z.enum(['dev', 'staging', 'prod']);
export type Environment = z.infer<typeof environmentSchema>;

/** `POST /api/v1/agents`. */
export const createAgentSchema = z.strictObject({
  agent_id: subjectToken,
  name: storableString().min(1).max(200).optional(),
  environment: environmentSchema,
  config: agentConfigSchema,
});

/** `POST /api/v1/agents/{id}/candidates`: something a mutation may switch to. */
export const candidateSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('prompt'), version: ref, template: storableString().min(1).max(65_536) }),
  z.strictObject({
    type: z.literal('model'),
    model: ref,
    provider: storableString().min(1).max(64),
    cost_per_1k_in: z.number().min(0),
    cost_per_1k_out: z.number().min(0),
    context_tokens: z.number().int().min(1).optional(),
  }),
  z.strictObject({
    type: z.literal('lora'),
    adapter_id: ref,
    base_model: ref,
    source: storableString().min(1).max(LIMITS.shortText),
  }),
  z.strictObject({ type: z.literal('backend'), backend_id: ref, url: z.url().optional() }),
]);

export type CandidateInput = z.input<typeof candidateSchema>;
export type CandidateSpec = z.output<typeof candidateSchema>;

/** The key a candidate is registered under, unique per agent and type. */
export function candidateKey(candidate: CandidateSpec): string {
  switch (candidate.type) {
    case 'prompt':
      return candidate.version;
    case 'model':
      return candidate.model;
    case 'lora':
      return candidate.adapter_id;
    case 'backend':
      return candidate.backend_id;
  }
}

export const MUTATION_TYPES = [
  'PROMPT_PATCH',
  'MODEL_SWAP',
  'LORA_APPLY',
  'ROUTE_CHANGE',
  'PARAM_SET',
  'MEMORY_UPDATE',
] as const;
export const mutationTypeSchema = z.enum(MUTATION_TYPES);
export type MutationType = z.infer<typeof mutationTypeSchema>;
