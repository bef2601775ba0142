import { z } from 'zod';
import { subjectToken } from './feedback-event.schema';
import { findingSchema, findingStatusSchema, findingTypeSchema, severitySchema, timeWindowSchema } from './plan.schema';

/*
 * `POST /api/v1/oracle/analyze` and `GET /api/v1/oracle/findings`. The analyze body of seed
 * 004 (`{time_window_hours: 24, event_limit: 1000}`) works verbatim.
 */

const MAX_WINDOW_HOURS = 24 * 90;

export const analyzeRequestSchema = z.strictObject({
  /** The recent window: the last this many hours (fractions allowed, at least a minute). */
  time_window_hours: z
    .number()
    .min(1 / 60)
    .max(MAX_WINDOW_HOURS)
    .default(24),
  /** What the window is compared with: this many hours before it; default the window's length. */
  baseline_window_hours: z
    .number()
    .min(1 / 60)
    .max(MAX_WINDOW_HOURS)
    .optional(),
  /**
   * Accepted for seed compatibility and ignored: analysis reads per-minute and hourly rollups,
   * never raw events, so its cost grows with agents × time, not with events.
   */
  event_limit: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Accepted for compatibility with earlier clients and ignored: analysis reads rollups, never raw events.'),
  /** Analyze only these agents (default: every agent with traffic in either window). */
  agent_ids: z.array(subjectToken).min(1).max(10_000).optional(),
});
export type AnalyzeRequest = z.output<typeof analyzeRequestSchema>;
export type AnalyzeRequestInput = z.input<typeof analyzeRequestSchema>;

export const analysisSchema = z.strictObject({
  /** Also stamped in each finding's evidence, so a finding names the analysis that last saw it. */
  analysis_id: z.uuid(),
  window: timeWindowSchema,
  baseline_window: timeWindowSchema,
  agents_analyzed: z.number().int().min(0),
  /** Hypothesis tests run; the multiple-testing correction (Benjamini–Hochberg) is over all of them. */
  tests_run: z.number().int().min(0),
  findings: z.array(findingSchema),
  /** Open or deferred findings of the analyzed agents that this analysis no longer finds: closed as resolved. */
  resolved_findings: z.number().int().min(0).default(0),
  /** Open or deferred findings about a revision no longer served (neither stable nor a live canary): closed as superseded. */
  superseded_findings: z.number().int().min(0).default(0),
  duration_ms: z.number().min(0),
});
export type Analysis = z.output<typeof analysisSchema>;

export const analyzeResponseSchema = z.strictObject({ analysis: analysisSchema });
export type AnalyzeResponse = z.output<typeof analyzeResponseSchema>;

/** `GET /api/v1/oracle/findings`: newest first; page on with `cursor` = the previous `next_cursor`. */
export const findingsQuerySchema = z.strictObject({
  agent_id: subjectToken.optional(),
  type: findingTypeSchema.optional(),
  status: findingStatusSchema.optional(),
  severity: severitySchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.uuid().optional(),
});
export type FindingsQuery = z.output<typeof findingsQuerySchema>;

export const findingListResponseSchema = z.strictObject({
  items: z.array(findingSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.uuid().nullable(),
});
export type FindingListResponse = z.output<typeof findingListResponseSchema>;
