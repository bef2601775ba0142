import { z } from 'zod';
import { candidateResponseSchema } from './registry.schema';
import { subjectToken } from './feedback-event.schema';
import { LIMITS } from './limits';
import { storableString } from './storable-text';

/*
 * Suggestions (seed 003): concrete prompt changes for an agent's worst areas, from the rules over
 * its recent feedback (complaint tags, failures by tag and by `context.framework`, corrections)
 * or from an optional model; one call turns a suggestion into a registered prompt candidate.
 */

const isoTime = z.iso.datetime({ offset: true });

/** `POST /api/v1/oracle/suggestions`: suggest prompt changes from the recent feedback (stored). */
export const suggestRequestSchema = z.strictObject({
  /** The window of feedback read, in days back from now. */
  days: z.number().min(0.01).max(90).default(7),
  /** Only feedback whose `context.framework` is this. */
  framework: storableString().min(1).max(LIMITS.tagLength).optional(),
  /** At most this many suggestions (the worst areas first). */
  limit: z.number().int().min(1).max(50).default(5),
  /** Only this agent; every registered agent otherwise. */
  agent_id: subjectToken.optional(),
});

export const suggestionAreaKindSchema = z.enum(['tag', 'framework', 'corrections']);

const suggestionSchema = z.object({
  suggestion_id: z.string(),
  agent_id: z.string(),
  /** The worst area it addresses: a complaint tag, a `context.framework` value, or `corrections`. */
  area: z.string(),
  area_kind: suggestionAreaKindSchema,
  /** The rule that made it (conciseness, code_examples, framework_version, …) or `model`. */
  rule: z.string(),
  /** The area's figures in the window. */
  problem: z.object({
    /** Events of the area that carry a judgement (rating, helpful, complaint or correction). */
    events: z.number().int(),
    /** Of them: rating ≤ 2, helpful false, a complaint or a correction. */
    negatives: z.number().int(),
    negative_rate: z.number(),
    complaints: z.number().int(),
    corrections: z.number().int(),
    mean_rating: z.number().nullable(),
    /** The agent's negative rate over every judged event of the window, for comparison. */
    agent_negative_rate: z.number(),
  }),
  /** What to change, in a sentence for a person. */
  suggestion: z.string(),
  /** The text added to the agent's prompt template when the suggestion becomes a candidate. */
  prompt_patch: z.string(),
  source: z.enum(['rules', 'model']),
  /** Set when a model is configured but the rules answered: why the model's answer was not used. */
  fallback_reason: z.string().optional(),
  /** What it rests on: sample event ids, complaint and correction texts, the tags matched, the window. */
  evidence: z.record(z.string(), z.unknown()),
  /** The prompt candidate registered from it, once it was. */
  candidate_id: z.string().nullable(),
  created_at: isoTime,
});

export const suggestResponseSchema = z.object({ items: z.array(suggestionSchema) });

/** `GET /api/v1/oracle/suggestions`: newest first. */
export const suggestionListQuerySchema = z.strictObject({
  agent_id: subjectToken.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The previous page's `next_cursor`. */
  cursor: z.uuid().optional(),
});

export const suggestionListResponseSchema = z.object({
  items: z.array(suggestionSchema),
  next_cursor: z.string().nullable(),
});

/** `POST /api/v1/oracle/suggestions/{id}/candidate`: the prompt candidate registered from the suggestion. */
export const suggestionCandidateResponseSchema = z.intersection(
  candidateResponseSchema,
  z.object({ suggestion_id: z.string() }),
);

export type SuggestRequest = z.output<typeof suggestRequestSchema>;
export type Suggestion = z.output<typeof suggestionSchema>;
export type SuggestionAreaKind = z.output<typeof suggestionAreaKindSchema>;
export type SuggestResponse = z.output<typeof suggestResponseSchema>;
export type SuggestionListQuery = z.output<typeof suggestionListQuerySchema>;
export type SuggestionListResponse = z.output<typeof suggestionListResponseSchema>;
export type SuggestionCandidateResponse = z.output<typeof suggestionCandidateResponseSchema>;
