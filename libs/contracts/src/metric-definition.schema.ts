import { z } from 'zod';
import { storableString } from './storable-text';
import { metricName } from './feedback-event.schema';
import { LIMITS } from './limits';

/**
 * `POST /api/v1/metrics` (TensorZero-style metric definition). feedback-api checks every
 * event's `metrics: {name: value}` against these: a boolean metric takes true/false, a
 * float metric a number.
 */
export const metricDefinitionSchema = z.strictObject({
  name: metricName,
  type: z.enum(['boolean', 'float']),
  level: z.enum(['inference', 'episode']),
  optimize: z.enum(['max', 'min']),
  description: storableString().min(1).max(LIMITS.shortText).optional(),
});

/** A stored metric definition as oracle-api answers it. */
export const metricDefinitionResponseSchema = metricDefinitionSchema.extend({
  description: z.string().nullable(),
  created_at: z.iso.datetime(),
});

export const metricDefinitionListSchema = z.object({ items: z.array(metricDefinitionResponseSchema) });

/**
 * Body of the core-NATS message on `subjects.metricsChanged`: a hint to reload, nothing
 * more (a lost one only delays until feedback-api's periodic refresh).
 */
export const metricsChangedMessageSchema = z.object({ name: metricName });

export type MetricDefinitionInput = z.input<typeof metricDefinitionSchema>;
export type MetricDefinition = z.output<typeof metricDefinitionSchema>;
export type MetricDefinitionResponse = z.output<typeof metricDefinitionResponseSchema>;
export type MetricDefinitionList = z.output<typeof metricDefinitionListSchema>;
export type MetricsChangedMessage = z.output<typeof metricsChangedMessageSchema>;
