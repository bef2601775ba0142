import { z } from 'zod';

/** Replay requests are bounded so one call cannot hold the API for minutes. */
export const DLQ_REPLAY_MAX_SEQS = 1_000;

/** `GET /api/v1/oracle/dlq?limit=&after_seq=`: dead letters in stream order, after a sequence. */
export const dlqListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Stream sequence to list after (the previous page's `next_after_seq`); 0 = from the start. */
  after_seq: z.coerce.number().int().min(0).default(0),
});

/** One dead letter: where it came from, why it failed, and what it carries. */
export const deadLetterSchema = z.object({
  /** Sequence in the FEEDBACK_DLQ stream; what replay takes. */
  seq: z.number().int(),
  subject: z.string(),
  original_subject: z.string(),
  /** Sequence of the original message in the FEEDBACK stream, when known. */
  original_seq: z.number().int().nullable(),
  reason: z.string(),
  deliveries: z.number().int().nullable(),
  failed_at: z.string().nullable(),
  /** Events the envelope carries; null when the body is not a readable envelope. */
  events: z.number().int().nullable(),
  /** Body size in bytes. */
  size: z.number().int(),
  /** The dead letter this one was replayed from, when it failed again after a replay; null otherwise. */
  replay_of: z.number().int().nullable(),
});

export const dlqListResponseSchema = z.object({
  items: z.array(deadLetterSchema),
  /** Pass as `after_seq` for the next page; null when this page reached the end. */
  next_after_seq: z.number().int().nullable(),
});

/** `POST /api/v1/oracle/dlq/replay`: either `{seqs: [...]}` or `{all: true}`. */
export const dlqReplaySchema = z
  .strictObject({
    seqs: z.array(z.number().int().positive()).min(1).max(DLQ_REPLAY_MAX_SEQS).optional(),
    all: z.literal(true).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.seqs === undefined) === (body.all === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'send either "seqs" (dead-letter sequences) or "all": true' });
    }
  });

export const dlqReplayResponseSchema = z.object({
  /** Dead-letter sequences republished to their original subject and removed from the DLQ. */
  replayed: z.array(z.number().int()),
  failed: z.array(z.object({ seq: z.number().int(), error: z.string() })),
});

export type DlqListQuery = z.output<typeof dlqListQuerySchema>;
export type DeadLetter = z.output<typeof deadLetterSchema>;
export type DlqListResponse = z.output<typeof dlqListResponseSchema>;
export type DlqReplayRequest = z.output<typeof dlqReplaySchema>;
export type DlqReplayResponse = z.output<typeof dlqReplayResponseSchema>;
