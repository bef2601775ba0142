import { z } from 'zod';
import { metricName, subjectToken, timestamp } from './feedback-event.schema';
import { LIMITS } from './limits';

/** The body of `POST /api/v1/feedback/system/metric`. */
export const systemMetricSchema = z.strictObject({
  source: subjectToken,
  name: metricName,
  value: z.number().finite(),
  unit: z.string().min(1).max(32).optional(),
  labels: z
    .record(z.string().min(1).max(LIMITS.tagLength), z.string().max(LIMITS.idLength))
    .refine((l) => Object.keys(l).length <= LIMITS.labels, `at most ${LIMITS.labels} labels`)
    .optional(),
  agent_id: subjectToken.optional(),
  timestamp: timestamp.optional(),
});

export type SystemMetricInput = z.input<typeof systemMetricSchema>;
export type SystemMetric = z.output<typeof systemMetricSchema>;
