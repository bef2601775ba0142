import { z } from 'zod';

const fraction = (value: number) => z.number().min(0).max(1).default(value);
const positiveInt = (value: number) => z.number().int().min(1).default(value);
const facetName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and "_", starting with a letter');

/** A signal of one interaction, as the persona rules name it. */
const PERSONA_SIGNALS = ['first_option', 'later_option', 'complaint', 'positive'] as const;

/** One persona rule: when the signal holds, the facet moves by delta (clamped to max_delta, the facet to [0, 1]). */
export const personaRuleSchema = z.strictObject({
  when: z.enum(PERSONA_SIGNALS),
  facet: facetName,
  delta: z.number().min(-1).max(1),
});

/** Per-subject memory and persona (seed 002): what is learned at ingest, how much is kept, what is served. */
export const memoryPolicySchema = z.strictObject({
  /** Off: feedback with a subject_id is stored as before and nothing is learned about the subject. */
  enabled: z.boolean().default(true),
  /** The facets every subject has, with the value a new subject starts at. */
  facets: z
    .record(facetName, z.number().min(0).max(1))
    .default({ concise: 0.5, step_by_step: 0.5, code_first: 0.5, formal: 0.5 }),
  /** Facets of one agent's subjects only (agent id → facet → start value), on top of `facets`. */
  agent_facets: z.record(z.string(), z.record(facetName, z.number().min(0).max(1))).default({}),
  /** Seed 002: the first option chosen → concise up; a later one → step_by_step up, concise down. */
  persona_rules: z.array(personaRuleSchema).default([
    { when: 'first_option', facet: 'concise', delta: 0.02 },
    { when: 'later_option', facet: 'step_by_step', delta: 0.02 },
    { when: 'later_option', facet: 'concise', delta: -0.02 },
  ]),
  /** No single update (rules or the optional model) moves a facet by more than this. */
  max_delta: fraction(0.1),
  /** A PREFERENCE's confidence is the chosen option's times this (the seed: slightly lower than a goal's). */
  preference_confidence_factor: fraction(0.9),
  /** Confidence of what is learned from an option that carries none. */
  default_confidence: fraction(0.7),
  /** Added to a goal's or preference's weight each time it is learned again, up to max_weight. */
  weight_increment: z.number().min(0).default(1),
  max_weight: z.number().min(1).default(10),
  /** Goals and preferences lose half their importance (weight × confidence) in this many days without being learned again. */
  half_life_days: z.number().min(0.01).default(30),
  /** Kept per subject: goals and preferences by importance, HISTORY the most recent. */
  max_goals: positiveInt(50),
  max_preferences: positiveInt(50),
  max_history: positiveInt(100),
  /** HISTORY older than this is removed. */
  history_retention_days: positiveInt(90),
  /** A HISTORY item's text is cut to this many characters. */
  history_max_chars: z.number().int().min(40).max(4_000).default(280),
});

export type MemoryPolicy = z.output<typeof memoryPolicySchema>;
export type PersonaRule = z.output<typeof personaRuleSchema>;
export type PersonaSignal = (typeof PERSONA_SIGNALS)[number];
