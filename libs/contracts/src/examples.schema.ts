import { z } from 'zod';
import { subjectToken } from './feedback-event.schema';
import { LIMITS } from './limits';
import { subjectContextSchema, subjectIdSchema } from './memory.schema';
import { agentConfigQuerySchema, agentConfigResponseSchema } from './registry.schema';
import { storableString } from './storable-text';

/**
 * Core-NATS subject (unprefixed, as `@EventPattern` names it): oracle-api wrote an agent's
 * examples (new, better, demoted or dropped); feedback-api refreshes its index of that agent.
 */
export const EXAMPLES_CHANGED = 'examples.changed';

/** Body of `examples.changed`: a hint, no state. `removed`: rows were deleted (cap, retention), so reload in full. */
export const examplesChangedMessageSchema = z.object({
  agent_id: subjectToken,
  removed: z.boolean().default(false),
});

/** The text an agent is about to answer, to find examples like it. */
const queryText = storableString().min(1).max(LIMITS.artifactText);

/** `POST /api/v1/agents/{agent_id}/examples/search`. */
export const exampleSearchRequestSchema = z.strictObject({
  query: queryText,
  k: z.number().int().min(1).max(50).default(4),
  min_similarity: z.number().min(0).max(1).default(0),
});

/** A stored example as retrieval returns it. */
const retrievedExampleSchema = z.object({
  id: z.string(),
  input: z.string(),
  output: z.string(),
  /** Cosine similarity of the example's input to the query, in [-1, 1]. */
  similarity: z.number(),
  /** The policy's quality score of the feedback it came from (1 for a correction). */
  quality: z.number(),
});

export const exampleSearchResponseSchema = z.object({
  examples: z.array(retrievedExampleSchema),
  /** The embedder that compared them (e.g. hashed-ngram-v1-512). */
  embedder: z.string(),
});

/** `GET /api/v1/agents/{agent_id}/config`: with `query`, a config with dynamic_examples brings the examples most like it. */
export const agentConfigFetchQuerySchema = agentConfigQuerySchema.extend({
  query: queryText.optional(),
  /** The end user the agent is serving: their memory and persona come as `subject_context` (seed 002). */
  subject_id: subjectIdSchema.optional(),
});

/** `POST /api/v1/agents/{agent_id}/config`: the same, for a query too long for a URL. */
export const agentConfigFetchBodySchema = z.strictObject({
  session_id: z.string().min(1).max(LIMITS.sessionIdLength),
  query: queryText.optional(),
  subject_id: subjectIdSchema.optional(),
});

/** The config fetch's answer; `examples_retrieved` only when a query was sent and the config has dynamic_examples. */
export const agentConfigWithExamplesResponseSchema = agentConfigResponseSchema.extend({
  examples_retrieved: z.array(retrievedExampleSchema).optional(),
  /** Only when `subject_id` was sent: the subject's goals, preferences, recent history and facets within a token budget. */
  subject_context: subjectContextSchema.optional(),
});

export type ExamplesChangedMessage = z.output<typeof examplesChangedMessageSchema>;
export type ExampleSearchRequest = z.output<typeof exampleSearchRequestSchema>;
export type ExampleSearchResponse = z.output<typeof exampleSearchResponseSchema>;
export type RetrievedExample = z.output<typeof retrievedExampleSchema>;
export type AgentConfigFetchQuery = z.output<typeof agentConfigFetchQuerySchema>;
export type AgentConfigFetchBody = z.output<typeof agentConfigFetchBodySchema>;
