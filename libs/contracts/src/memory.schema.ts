import { z } from 'zod';
import { LIMITS } from './limits';
import { storableString } from './storable-text';

/*
 * Per-subject memory and persona (seed 002). A subject is the end user an agent serves
 * (`subject_id` on feedback). oracle-api learns at ingest; feedback-api serves the memory and
 * the subject's context with the config fetch; oracle-api exports and erases it.
 */

const isoTime = z.iso.datetime({ offset: true });

/** A subject id as feedback carries it. */
export const subjectIdSchema = storableString().min(1).max(LIMITS.idLength);

/**
 * Core-NATS subject (unprefixed, as `@EventPattern` names it): oracle-api changed these subjects'
 * memory (learned at ingest, or erased); feedback-api drops its cached context of them.
 */
export const SUBJECT_MEMORY_CHANGED = 'subject.memory.changed';

/** Body of `subject.memory.changed`: a hint, no state. */
export const subjectMemoryChangedMessageSchema = z.object({ subject_ids: z.array(z.string()).max(1_000) });

const MEMORY_KINDS = ['HISTORY', 'GOAL', 'PREFERENCE'] as const;
const memoryKindSchema = z.enum(MEMORY_KINDS);

/** One thing kept about a subject. */
const memoryItemSchema = z.object({
  /** HISTORY: an interaction; GOAL: an intent learned from a chosen option; PREFERENCE: a technology or style. */
  kind: memoryKindSchema,
  text: z.string(),
  /** How often it was learned (merged repeats add to it); HISTORY is 1. */
  weight: z.number(),
  /** From the chosen option's confidence (a preference's slightly lower); HISTORY is 1. */
  confidence: z.number(),
  /** `learned`, `selection_derived` (goals, preferences); `interaction`, the chosen option's id (history). */
  tags: z.array(z.string()),
  /** The agent whose feedback taught it last. */
  agent_id: z.string(),
  updated_at: isoTime,
});

/** `GET /api/v1/subjects/{subject_id}/memory` (feedback-api, scope config:read). */
export const subjectMemoryResponseSchema = z.object({
  subject_id: z.string(),
  /** Goals and preferences by importance, then history newest first. */
  items: z.array(memoryItemSchema),
  /** Persona facets, each in [0, 1]; empty until the subject's first interaction. */
  facets: z.record(z.string(), z.number()),
  /** The latest change to any of it; null when nothing is kept. */
  updated_at: isoTime.nullable(),
});

const contextItemSchema = z.object({ text: z.string(), weight: z.number(), confidence: z.number() });

/** Estimated tokens (characters / 4) of each part of the subject's context, as seed 002's context_breakdown. */
const contextBreakdownSchema = z.object({
  goal: z.number().int(),
  pref: z.number().int(),
  history: z.number().int(),
  facets: z.number().int(),
  total: z.number().int(),
  /** The token budget the context was assembled within. */
  budget: z.number().int(),
});

/** The subject's context that comes with a config fetch carrying `subject_id`. */
export const subjectContextSchema = z.object({
  subject_id: z.string(),
  /** Top goals by importance (weight × confidence, decaying), within the budget. */
  goals: z.array(contextItemSchema),
  preferences: z.array(contextItemSchema),
  /** Recent interactions, newest first. */
  history: z.array(z.object({ text: z.string(), at: isoTime })),
  facets: z.record(z.string(), z.number()),
  context_breakdown: contextBreakdownSchema,
});

const jsonRecord = z.record(z.string(), z.unknown());

/** A selection log line (seed 002's hypotheses_data.jsonl). */
const selectionLogSchema = z.object({
  timestamp: isoTime,
  user_id: z.string(),
  agent_id: z.string(),
  event_id: z.string(),
  user_input: z.string().nullable(),
  /** persona_facets, interaction_count, recent_goals, preferences: the subject as it was before this interaction. */
  context: jsonRecord,
  hypotheses: z.array(z.object({ id: z.string(), question: z.string(), confidence: z.number().nullable() })),
  selected_id: z.string(),
  /** positive, or negative when the event carried a complaint. */
  label: z.string(),
});

/** A persona-update log line (seed 002's persona_updates.jsonl). */
const personaUpdateLogSchema = z.object({
  timestamp: isoTime,
  user_id: z.string(),
  agent_id: z.string(),
  event_id: z.string(),
  old_facets: z.record(z.string(), z.number()),
  new_facets: z.record(z.string(), z.number()),
  facet_deltas: z.record(z.string(), z.number()),
  signals: jsonRecord,
  /** rules, or model when the optional model's (validated, clamped) proposal was applied. */
  source: z.string(),
});

/** `GET /api/v1/subjects/{subject_id}` (oracle-api): everything kept about the subject. */
export const subjectExportSchema = z.object({
  subject_id: z.string(),
  exported_at: isoTime,
  memory: subjectMemoryResponseSchema,
  selection_logs: z.array(selectionLogSchema),
  persona_updates: z.array(personaUpdateLogSchema),
  /** Raw feedback events still carrying the subject's id (their payloads are not repeated here). */
  feedback_events: z.number().int(),
});

/** `DELETE /api/v1/subjects/{subject_id}`: what was erased. */
export const subjectEraseResponseSchema = z.object({
  subject_id: z.string(),
  deleted: z.object({
    memory_items: z.number().int(),
    facets: z.number().int(),
    selection_logs: z.number().int(),
    persona_updates: z.number().int(),
    /** Examples (DICL) made from the subject's feedback events, deleted (and dropped from retrieval). */
    examples: z.number().int(),
    /** Raw feedback events whose subject_id, artifacts, context and free text were removed. */
    events_scrubbed: z.number().int(),
  }),
});

/** `GET /api/v1/subject-logs/{kind}`: seed 002's training logs as JSONL. */
const SUBJECT_LOG_KINDS = ['selections', 'persona-updates'] as const;
/** The `{kind}` path parameter, its issue naming it (as pathId does). */
export const subjectLogKindParam = z
  .string()
  .superRefine((value, ctx) => {
    if (!(SUBJECT_LOG_KINDS as readonly string[]).includes(value))
      ctx.addIssue({ code: 'custom', message: `must be ${SUBJECT_LOG_KINDS.join(' or ')}`, path: ['kind'] });
  })
  .transform((value) => value as (typeof SUBJECT_LOG_KINDS)[number]);

export const subjectLogsQuerySchema = z.strictObject({
  agent_id: storableString().min(1).max(LIMITS.idLength).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
});

export type MemoryKind = z.output<typeof memoryKindSchema>;
export type MemoryItemView = z.output<typeof memoryItemSchema>;
export type SubjectMemoryResponse = z.output<typeof subjectMemoryResponseSchema>;
export type SubjectContext = z.output<typeof subjectContextSchema>;
export type ContextBreakdown = z.output<typeof contextBreakdownSchema>;
export type SelectionLog = z.output<typeof selectionLogSchema>;
export type PersonaUpdateLog = z.output<typeof personaUpdateLogSchema>;
export type SubjectExport = z.output<typeof subjectExportSchema>;
export type SubjectEraseResponse = z.output<typeof subjectEraseResponseSchema>;
export type SubjectMemoryChangedMessage = z.output<typeof subjectMemoryChangedMessageSchema>;
export type SubjectLogKind = (typeof SUBJECT_LOG_KINDS)[number];
export type SubjectLogsQuery = z.output<typeof subjectLogsQuerySchema>;
