import { z } from 'zod';
import { feedbackEventSchema, type FeedbackKind } from './feedback-event.schema';
import { storableString } from './storable-text';
import { systemMetricSchema } from './system-metric.schema';

/**
 * Group commit: one JetStream message carries every event of one subject gathered during a
 * linger window, so one ack answers many requests. These are the message bodies.
 */
export const ENVELOPE_VERSION = 1;

const serverFields = {
  event_id: storableString().min(1).max(128),
  /** When feedback-api accepted it (ISO-8601); `occurred_at` falls back to it. */
  received_at: z.iso.datetime({ offset: true }),
};

export const storedFeedbackEventSchema = feedbackEventSchema.extend({
  ...serverFields,
  kind: z.enum(['explicit', 'implicit']),
});

export const storedSystemMetricSchema = systemMetricSchema.extend(serverFields);

export const feedbackEnvelopeSchema = z.object({
  v: z.literal(ENVELOPE_VERSION),
  type: z.literal('feedback'),
  events: z.array(storedFeedbackEventSchema).min(1),
});

export const systemMetricEnvelopeSchema = z.object({
  v: z.literal(ENVELOPE_VERSION),
  type: z.literal('system'),
  events: z.array(storedSystemMetricSchema).min(1),
});

export const envelopeSchema = z.discriminatedUnion('type', [feedbackEnvelopeSchema, systemMetricEnvelopeSchema]);

export type StoredFeedbackEvent = z.output<typeof storedFeedbackEventSchema> & { kind: FeedbackKind };
export type StoredSystemMetric = z.output<typeof storedSystemMetricSchema>;
export type FeedbackEnvelope = z.output<typeof feedbackEnvelopeSchema>;
export type SystemMetricEnvelope = z.output<typeof systemMetricEnvelopeSchema>;
export type Envelope = z.output<typeof envelopeSchema>;
