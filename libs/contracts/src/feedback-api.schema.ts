import { z } from 'zod';

/** 202 answer of collect and system/metric: accepted once JetStream acknowledged it. */
export const acceptedResponseSchema = z.object({
  event_id: z.string(),
  status: z.literal('accepted'),
  /** True when this event_id was accepted before (within the dedupe window) and is not stored twice. */
  duplicate: z.boolean(),
});

export const fieldErrorSchema = z.object({ path: z.string(), pointer: z.string(), message: z.string() });

/** Per event of a bulk request: accepted, duplicate (accepted before, not stored twice) or rejected. */
export const bulkItemResultSchema = z.discriminatedUnion('status', [
  z.object({ index: z.number().int(), status: z.enum(['accepted', 'duplicate']), event_id: z.string() }),
  z.object({ index: z.number().int(), status: z.literal('rejected'), errors: z.array(fieldErrorSchema) }),
]);

/** 202 answer of collect/bulk: one result per event, in request order. */
export const bulkResponseSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(bulkItemResultSchema),
});

export type AcceptedResponse = z.infer<typeof acceptedResponseSchema>;
export type BulkItemResult = z.infer<typeof bulkItemResultSchema>;
export type BulkResponse = z.infer<typeof bulkResponseSchema>;
