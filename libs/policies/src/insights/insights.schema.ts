import { z } from 'zod';

/**
 * What counts as a success of one feedback event (seed 003: thumbs up / helpful / rating ≥ 4).
 * The first signal present decides: a complaint (or correction) is a failure, then the thumbs
 * (`explicit.helpful`), then the rating against `rating_at_least`, then `implicit.success`.
 * An event with none of them has no verdict and is not a sample.
 */
export const successDefinitionSchema = z.strictObject({
  /** A rating at least this is a success, below it a failure. */
  rating_at_least: z.number().min(1).max(5).default(4),
  /** A complaint or a correction makes the event a failure whatever else it carries. */
  complaint_is_failure: z.boolean().default(true),
  /** Without an explicit judgement, `implicit.success` decides. */
  use_implicit_success: z.boolean().default(true),
});

/** Weekly and monthly reports (seed 003). */
export const reportsPolicySchema = z.strictObject({
  /** A report whose success rate fell more than this percent relative to the previous period raises the alert. */
  alert_drop_percent: z.number().min(0).max(100).default(10),
  /** Significance level of the period-over-period tests and of the top performers and problem areas. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** A tag, context value, model or prompt version needs this many samples in the period to be ranked. */
  min_group_samples: z.number().int().min(1).default(20),
  /** Top performers and problem areas listed, each. */
  top: z.number().int().min(1).max(50).default(5),
});

/** Patterns, reports (seed 003). */
export const insightsSchema = z.strictObject({
  success: successDefinitionSchema.prefault({}),
  reports: reportsPolicySchema.prefault({}),
});

export type SuccessDefinition = z.output<typeof successDefinitionSchema>;
export type ReportsPolicy = z.output<typeof reportsPolicySchema>;
export type InsightsPolicy = z.output<typeof insightsSchema>;
