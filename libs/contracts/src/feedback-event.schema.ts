import { z } from 'zod';
import { boundedJsonObject } from './json-value';
import { LIMITS } from './limits';
import { storableString } from './storable-text';

/** Ids that become NATS subject tokens: no dots, wildcards or whitespace. */
export const subjectToken = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, "_" and "-" are allowed');

const id = storableString().min(1).max(LIMITS.idLength);

/** ISO-8601 with offset, or epoch milliseconds; normalised to an ISO string. */
export const timestamp = z
  .union([z.iso.datetime({ offset: true }), z.number().int().min(0).max(8.64e15)])
  .transform((value) => new Date(value).toISOString());

export const explicitFeedbackSchema = z.strictObject({
  rating: z.number().min(1).max(5).optional(),
  helpful: z.boolean().optional(),
  complaint: storableString().max(LIMITS.shortText).optional(),
  correction: storableString().max(LIMITS.longText).optional(),
  comment: storableString().max(LIMITS.shortText).optional(),
  selection: boundedJsonObject.optional(),
});

export const implicitFeedbackSchema = z.strictObject({
  response_time_ms: z.number().min(0).max(86_400_000).optional(),
  success: z.boolean().optional(),
  success_rate: z.number().min(0).max(1).optional(),
  error_code: storableString().max(LIMITS.idLength).optional(),
  tokens_in: z.number().int().min(0).max(100_000_000).optional(),
  tokens_out: z.number().int().min(0).max(100_000_000).optional(),
  cost_usd: z.number().min(0).max(1_000_000).optional(),
});

export const metricName = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits, "_", ".", ":" and "-" are allowed');

/** The body of `POST /api/v1/feedback/collect`, snake_case as in the seed's examples. */
export const feedbackEventSchema = z.strictObject({
  event_id: id.optional(),
  agent_id: subjectToken,
  session_id: storableString().min(1).max(LIMITS.sessionIdLength),
  inference_id: id.optional(),
  revision_id: id.optional(),
  subject_id: id.optional(),
  timestamp: timestamp.optional(),
  explicit: explicitFeedbackSchema.optional(),
  implicit: implicitFeedbackSchema.optional(),
  metrics: z
    .record(metricName, z.union([z.number().finite(), z.boolean()]))
    .refine((m) => Object.keys(m).length <= LIMITS.metrics, `at most ${LIMITS.metrics} metrics per event`)
    .optional(),
  tags: z.array(storableString().min(1).max(LIMITS.tagLength)).max(LIMITS.tags).optional(),
  context: boundedJsonObject.optional(),
  artifacts: z
    .strictObject({
      input: storableString().max(LIMITS.artifactText).optional(),
      output: storableString().max(LIMITS.artifactText).optional(),
    })
    .optional(),
});

export type FeedbackEventInput = z.input<typeof feedbackEventSchema>;
export type FeedbackEvent = z.output<typeof feedbackEventSchema>;

export const bulkFeedbackSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(LIMITS.bulkEvents),
});

export type FeedbackKind = 'explicit' | 'implicit';

/** An event with explicit (user-given) feedback goes to the explicit subject, else implicit. */
export function feedbackKind(event: Pick<FeedbackEvent, 'explicit'>): FeedbackKind {
  return event.explicit ? 'explicit' : 'implicit';
}
