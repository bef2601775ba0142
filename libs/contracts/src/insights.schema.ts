import { z } from 'zod';
import { subjectToken } from './feedback-event.schema';

/** A top-level context key patterns can group by (`context.<key>`): as bounded at ingest. */
const contextKeySchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, "_" and "-" are allowed');

/** `POST /api/v1/oracle/patterns` (seed 003's analyze). */
export const patternsRequestSchema = z.strictObject({
  /** The window: the last `days` days up to now (whole hours: it starts at the hour). */
  days: z.number().gt(0).max(366).default(7),
  /** Fewer samples (events with a success verdict) than this in the window is a 422. */
  min_samples: z.number().int().min(1).max(1_000_000).default(5),
  agent_id: subjectToken.optional(),
  /** Context keys to group by besides `framework` (e.g. `locale`); each becomes a key of `by_context`. */
  context_keys: z.array(contextKeySchema).max(8).optional(),
});
export type PatternsRequest = z.output<typeof patternsRequestSchema>;

/** How one group (a tag, model, prompt version or context value) performed. */
export const groupPerformanceSchema = z.object({
  value: z.string(),
  /** Events with a success verdict. */
  samples: z.number().int(),
  positive: z.number().int(),
  negative: z.number().int(),
  /** positive / samples; null without samples. */
  success_rate: z.number().nullable(),
  /** Mean of the ratings given; null without ratings. */
  mean_rating: z.number().nullable(),
  rating_count: z.number().int(),
  /** Two-sided two-proportion z-test of this group's success rate against the rest of the window. */
  p_value: z.number().nullable(),
  /** p_value ≤ alpha and samples ≥ min_samples. */
  significant: z.boolean(),
});
export type GroupPerformance = z.output<typeof groupPerformanceSchema>;

/** A tag or context value over-represented among successes (or failures). */
export const featureSchema = z.object({
  /** `tag:<value>` or `context.<key>=<value>`. */
  feature: z.string(),
  dim: z.string(),
  value: z.string(),
  /** Share of successes (failures) carrying the feature. */
  share_of_successes: z.number(),
  share_of_failures: z.number(),
  /** Benjamini–Hochberg adjusted p-value of the two-proportion z-test over all features of the window. */
  p_value: z.number(),
});
export type Feature = z.output<typeof featureSchema>;

export const windowSchema = z.object({ from: z.iso.datetime(), to: z.iso.datetime() });

export const patternsResponseSchema = z.object({
  window: windowSchema,
  agent_id: z.string().nullable(),
  /** Events in the window, with or without a verdict. */
  events: z.number().int(),
  samples: z.number().int(),
  positive: z.number().int(),
  negative: z.number().int(),
  success_rate: z.number().nullable(),
  mean_rating: z.number().nullable(),
  by_tag: z.array(groupPerformanceSchema),
  by_model: z.array(groupPerformanceSchema),
  by_prompt_version: z.array(groupPerformanceSchema),
  /** One list per context key (`framework` always, and the keys asked for). */
  by_context: z.record(z.string(), z.array(groupPerformanceSchema)),
  success_features: z.array(featureSchema),
  failure_features: z.array(featureSchema),
  recommendations: z.array(z.string()),
});
export type PatternsResponse = z.output<typeof patternsResponseSchema>;

const reportPeriodSchema = z.enum(['weekly', 'monthly']);
export type ReportPeriod = z.output<typeof reportPeriodSchema>;
export const WEEK_ID = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;
export const MONTH_ID = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `POST /api/v1/reports`. */
export const createReportSchema = z
  .strictObject({
    period: reportPeriodSchema,
    /** ISO week (`2026-W49`) for weekly, month (`2026-12`) for monthly; default the last complete period. */
    period_id: z.string().max(16).optional(),
    agent_id: subjectToken.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.period_id === undefined) return;
    const weekly = body.period === 'weekly';
    if (!(weekly ? WEEK_ID : MONTH_ID).test(body.period_id))
      ctx.addIssue({
        code: 'custom',
        path: ['period_id'],
        message: weekly
          ? 'a weekly period_id is an ISO week like 2026-W49'
          : 'a monthly period_id is a month like 2026-12',
      });
  });
export type CreateReportRequest = z.output<typeof createReportSchema>;

/** The numbers of one period. */
export const periodFiguresSchema = z.object({
  period_id: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  total_feedback: z.number().int(),
  samples: z.number().int(),
  positive: z.number().int(),
  negative: z.number().int(),
  success_rate: z.number().nullable(),
  mean_rating: z.number().nullable(),
  rating_count: z.number().int(),
});

/** A period-over-period test: the difference, the test named, its p-value and whether it is significant. */
export const changeTestSchema = z.object({
  metric: z.enum(['success_rate', 'mean_rating']),
  /** This period minus the previous one (points of a fraction for success_rate, stars for mean_rating). */
  difference: z.number(),
  /** The difference relative to the previous value, in percent; null when that was 0. */
  relative_percent: z.number().nullable(),
  test: z.string(),
  statistic: z.number(),
  p_value: z.number(),
  ci: z.object({ lower: z.number(), upper: z.number() }),
  alpha: z.number(),
  significant: z.boolean(),
});

export const reportGroupSchema = groupPerformanceSchema.extend({
  /** tag, model, prompt_version or context.<key>. */
  dimension: z.string(),
});

export const reportSchema = z.object({
  report_id: z.uuid(),
  period: reportPeriodSchema,
  period_id: z.string(),
  agent_id: z.string().nullable(),
  start_date: z.iso.datetime(),
  end_date: z.iso.datetime(),
  current: periodFiguresSchema,
  previous: periodFiguresSchema,
  /** The change vs the previous period; null entries when either period has no samples. */
  change: z.object({
    success_rate: changeTestSchema.nullable(),
    mean_rating: changeTestSchema.nullable(),
  }),
  /** The success rate fell more than the policy's alert_drop_percent. */
  alert: z.boolean(),
  top_performers: z.array(reportGroupSchema),
  problem_areas: z.array(reportGroupSchema),
  action_items: z.array(z.string()),
  trigger: z.enum(['schedule', 'api']),
  created_by: z.string(),
  created_at: z.iso.datetime(),
});
export type Report = z.output<typeof reportSchema>;

export const reportListQuerySchema = z.strictObject({
  period: reportPeriodSchema.optional(),
  agent_id: subjectToken.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  cursor: z.uuid().optional(),
});
export type ReportListQuery = z.output<typeof reportListQuerySchema>;

export const reportListResponseSchema = z.object({
  items: z.array(reportSchema),
  next_cursor: z.uuid().nullable(),
});
export type ReportListResponse = z.output<typeof reportListResponseSchema>;

/** `GET /api/v1/reports/{id}?format=markdown` (or `Accept: text/markdown`). */
export const reportFormatQuerySchema = z.strictObject({ format: z.enum(['json', 'markdown']).optional() });
export type ReportFormatQuery = z.output<typeof reportFormatQuerySchema>;
