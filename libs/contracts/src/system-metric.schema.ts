import { z } from 'zod';
import { metricName, subjectToken, timestamp } from './feedback-event.schema';
import { LIMITS } from './limits';
import { storableString } from './storable-text';

/** The body of `POST /api/v1/feedback/system/metric`. */
export const systemMetricSchema = z.strictObject({
  source: subjectToken,
  name: metricName,
  value: z.number().finite(),
  unit: storableString().min(1).max(32).optional(),
  labels: z
    .record(storableString().min(1).max(LIMITS.tagLength), storableString().max(LIMITS.idLength))
    .refine((l) => Object.keys(l).length <= LIMITS.labels, `at most ${LIMITS.labels} labels`)
    .optional(),
  agent_id: subjectToken.optional(),
  timestamp: timestamp.optional(),
});

export type SystemMetricInput = z.input<typeof systemMetricSchema>;
export type SystemMetric = z.output<typeof systemMetricSchema>;
