import type { GroupPerformance, Report } from '@metaloop/contracts';
import type { ReportsPolicy } from '@metaloop/policies';
import { twoProportionZTest, welchTTest } from '@metaloop/stats';
import {
  groupPerformance,
  percent,
  pText,
  restSuccessRate,
  totalsOf,
  type DimensionSums,
  type Totals,
} from '../patterns/group-stats';
import type { PeriodRange } from './periods';

export type ReportBody = Omit<Report, 'report_id' | 'trigger' | 'created_by' | 'created_at'>;
type ChangeTest = NonNullable<Report['change']['success_rate']>;
type ReportGroup = Report['top_performers'][number];

/** The ranked dimensions: tags, models, prompt versions and every context key seen. */
function rankedDimensions(rows: readonly DimensionSums[]): string[] {
  const context = [...new Set(rows.filter((r) => r.dim.startsWith('context.')).map((r) => r.dim))].sort();
  return ['tag', 'model', 'prompt_version', ...context];
}

function figures(range: PeriodRange, totals: Totals): ReportBody['current'] {
  return {
    period_id: range.id,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    total_feedback: totals.events,
    samples: totals.samples,
    positive: totals.positive,
    negative: totals.negative,
    success_rate: totals.success_rate,
    mean_rating: totals.mean_rating,
    rating_count: totals.rating_count,
  };
}

const relative = (difference: number, before: number) => (before === 0 ? null : (difference / before) * 100);

/** Success rate now vs before: two-sided two-proportion z-test. */
export function successRateChange(now: Totals, before: Totals, alpha: number): ChangeTest | null {
  if (now.samples === 0 || before.samples === 0) return null;
  const test = twoProportionZTest(
    { successes: now.positive, n: now.samples },
    { successes: before.positive, n: before.samples },
  );
  return {
    metric: 'success_rate',
    difference: test.estimate,
    relative_percent: relative(test.estimate, before.success_rate!),
    test: 'two-proportion z-test (two-sided)',
    statistic: test.statistic,
    p_value: test.pValue,
    ci: test.ci,
    alpha,
    significant: test.pValue <= alpha,
  };
}

/** Mean rating now vs before: Welch's t-test from the rating sums; both periods need two ratings. */
export function meanRatingChange(now: Totals, before: Totals, alpha: number): ChangeTest | null {
  if (now.rating_count < 2 || before.rating_count < 2) return null;
  const test = welchTTest(
    { n: now.rating_count, sum: now.rating_sum, sumSq: now.rating_sum_sq },
    { n: before.rating_count, sum: before.rating_sum, sumSq: before.rating_sum_sq },
  );
  const pValue = Number.isFinite(test.pValue) ? test.pValue : 1;
  return {
    metric: 'mean_rating',
    difference: test.estimate,
    relative_percent: relative(test.estimate, before.mean_rating!),
    test: "Welch's t-test (two-sided)",
    statistic: Number.isFinite(test.statistic) ? test.statistic : 0,
    p_value: pValue,
    ci: test.ci,
    alpha,
    significant: pValue <= alpha,
  };
}

/**
 * A weekly or monthly report from the summed dimension rollups of the period and of the one
 * before (pure). Top performers and problem areas are the groups with enough samples whose
 * success rate is above (below) the rest of the period, significant ones first.
 */
export function buildReport(input: {
  range: PeriodRange;
  previousRange: PeriodRange;
  current: readonly DimensionSums[];
  previous: readonly DimensionSums[];
  agentId: string | null;
  policy: ReportsPolicy;
}): ReportBody {
  const { policy } = input;
  const now = totalsOf(input.current);
  const before = totalsOf(input.previous);
  const successChange = successRateChange(now, before, policy.alpha);
  const ratingChange = meanRatingChange(now, before, policy.alpha);
  const groups: ReportGroup[] = rankedDimensions(input.current).flatMap((dimension) =>
    groupPerformance(input.current, dimension, now, { alpha: policy.alpha, minSamples: policy.min_group_samples })
      .filter((g) => g.samples >= policy.min_group_samples)
      .map((g) => ({ dimension, ...g })),
  );
  const versusRest = (g: GroupPerformance) => (g.success_rate ?? 0) - (restSuccessRate(g, now) ?? g.success_rate ?? 0);
  const rank = (a: ReportGroup, b: ReportGroup, sign: number) =>
    Number(b.significant) - Number(a.significant) || sign * ((b.success_rate ?? 0) - (a.success_rate ?? 0));
  const top = groups
    .filter((g) => versusRest(g) > 0)
    .sort((a, b) => rank(a, b, 1))
    .slice(0, policy.top);
  const problems = groups
    .filter((g) => versusRest(g) < 0)
    .sort((a, b) => rank(a, b, -1))
    .slice(0, policy.top);
  const alert =
    successChange !== null &&
    successChange.relative_percent !== null &&
    successChange.relative_percent < -policy.alert_drop_percent;
  return {
    period: input.range.period,
    period_id: input.range.id,
    agent_id: input.agentId,
    start_date: input.range.from.toISOString(),
    end_date: input.range.to.toISOString(),
    current: figures(input.range, now),
    previous: figures(input.previousRange, before),
    change: { success_rate: successChange, mean_rating: ratingChange },
    alert,
    top_performers: top,
    problem_areas: problems,
    action_items: actionItems(now, successChange, ratingChange, alert, top, problems, policy),
  };
}

const label = (g: ReportGroup) => `${g.dimension === 'prompt_version' ? 'prompt version' : g.dimension} "${g.value}"`;

function actionItems(
  now: Totals,
  success: ChangeTest | null,
  rating: ChangeTest | null,
  alert: boolean,
  top: readonly ReportGroup[],
  problems: readonly ReportGroup[],
  policy: ReportsPolicy,
): string[] {
  if (now.samples === 0) return ['No feedback with a success verdict in this period: check that agents send feedback.'];
  const items: string[] = [];
  if (alert && success)
    items.push(
      `Success rate fell ${Math.abs(success.relative_percent!).toFixed(1)}% against the previous period ` +
        `(more than the ${policy.alert_drop_percent}% alert threshold; ${success.test}, ${pText(success.p_value)}` +
        `${success.significant ? ', significant' : ', not significant'}): find what changed (revisions, rollouts) in this period.`,
    );
  if (rating?.significant && rating.difference < 0)
    items.push(
      `Mean rating fell by ${Math.abs(rating.difference).toFixed(2)} (${rating.test}, ${pText(rating.p_value)}).`,
    );
  for (const g of problems.filter((p) => p.significant))
    items.push(
      `Fix ${label(g)}: ${percent(g.success_rate)} success over ${g.samples} samples, below the rest (${pText(g.p_value)}).`,
    );
  for (const g of top.filter((t) => t.significant).slice(0, 2))
    items.push(`Extend what works: ${label(g)} succeeds ${percent(g.success_rate)} (${pText(g.p_value)}).`);
  if (items.length === 0)
    items.push(
      `Nothing needs action: success ${percent(now.success_rate)}` +
        `${success ? `, ${success.difference >= 0 ? 'up' : 'down'} ${Math.abs(success.difference * 100).toFixed(1)} points (${pText(success.p_value)}, not significant)` : ''}.`,
    );
  return items;
}
