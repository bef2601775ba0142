import type { Feature, GroupPerformance } from '@metaloop/contracts';
import { benjaminiHochberg, twoProportionZTest } from '@metaloop/stats';

/** Summed dimension rollups of one group over a window (snake_case as the SQL answers). */
export interface DimensionSums {
  /** `*`, `tag`, `context.<key>`, `model` or `prompt_version`. */
  dim: string;
  value: string;
  count: number;
  positive: number;
  negative: number;
  rating_count: number;
  rating_sum: number;
  rating_sum_sq: number;
}

export interface Totals {
  events: number;
  samples: number;
  positive: number;
  negative: number;
  success_rate: number | null;
  mean_rating: number | null;
  rating_count: number;
  rating_sum: number;
  rating_sum_sq: number;
}

/** The `*` row as totals (all zeros when the window has no events). */
export function totalsOf(rows: readonly DimensionSums[]): Totals {
  const all = rows.find((row) => row.dim === '*');
  const samples = (all?.positive ?? 0) + (all?.negative ?? 0);
  return {
    events: all?.count ?? 0,
    samples,
    positive: all?.positive ?? 0,
    negative: all?.negative ?? 0,
    success_rate: samples > 0 ? all!.positive / samples : null,
    mean_rating: all && all.rating_count > 0 ? all.rating_sum / all.rating_count : null,
    rating_count: all?.rating_count ?? 0,
    rating_sum: all?.rating_sum ?? 0,
    rating_sum_sq: all?.rating_sum_sq ?? 0,
  };
}

/**
 * Each group's success rate against the rest of the window (the events without this tag,
 * value, model…): a two-sided two-proportion z-test; significant when p ≤ alpha and the group
 * has at least minSamples samples. Sorted by samples, most first.
 */
export function groupPerformance(
  rows: readonly DimensionSums[],
  dim: string,
  totals: Totals,
  options: { alpha: number; minSamples: number },
): GroupPerformance[] {
  return rows
    .filter((row) => row.dim === dim)
    .map((row) => {
      const samples = row.positive + row.negative;
      const restSamples = totals.samples - samples;
      const test =
        samples > 0 && restSamples > 0
          ? twoProportionZTest(
              { successes: row.positive, n: samples },
              { successes: totals.positive - row.positive, n: restSamples },
            )
          : null;
      const pValue = test && Number.isFinite(test.pValue) ? test.pValue : null;
      return {
        value: row.value,
        samples,
        positive: row.positive,
        negative: row.negative,
        success_rate: samples > 0 ? row.positive / samples : null,
        mean_rating: row.rating_count > 0 ? row.rating_sum / row.rating_count : null,
        rating_count: row.rating_count,
        p_value: pValue,
        significant: pValue !== null && pValue <= options.alpha && samples >= options.minSamples,
      };
    })
    .sort((a, b) => b.samples - a.samples || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** The rest of the window's success rate, for one group (what the group is compared with). */
export function restSuccessRate(group: Pick<GroupPerformance, 'samples' | 'positive'>, totals: Totals): number | null {
  const samples = totals.samples - group.samples;
  return samples > 0 ? (totals.positive - group.positive) / samples : null;
}

/**
 * Tags and context values over-represented among successes (success features) or failures
 * (failure features): the share of successes carrying the feature against the share of
 * failures carrying it, two-proportion z-tests adjusted together by Benjamini–Hochberg;
 * adjusted p ≤ alpha. Strongest first, at most `limit` each.
 */
export function distinguishingFeatures(
  rows: readonly DimensionSums[],
  totals: Totals,
  alpha: number,
  limit = 10,
): { success: Feature[]; failure: Feature[] } {
  if (totals.positive === 0 || totals.negative === 0) return { success: [], failure: [] };
  const candidates = rows.filter((row) => row.dim === 'tag' || row.dim.startsWith('context.'));
  const tests = candidates.map((row) =>
    twoProportionZTest(
      { successes: row.positive, n: totals.positive },
      { successes: row.negative, n: totals.negative },
    ),
  );
  const adjusted = benjaminiHochberg(tests.map((test) => (Number.isFinite(test.pValue) ? test.pValue : 1)));
  const features = candidates.map((row, i) => ({
    feature: row.dim === 'tag' ? `tag:${row.value}` : `${row.dim}=${row.value}`,
    dim: row.dim,
    value: row.value,
    share_of_successes: row.positive / totals.positive,
    share_of_failures: row.negative / totals.negative,
    p_value: adjusted[i]!,
  }));
  const significant = features.filter((f) => f.p_value <= alpha).sort((a, b) => a.p_value - b.p_value);
  return {
    success: significant.filter((f) => f.share_of_successes > f.share_of_failures).slice(0, limit),
    failure: significant.filter((f) => f.share_of_failures > f.share_of_successes).slice(0, limit),
  };
}

export const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
export const pText = (p: number | null) => (p === null ? 'n/a' : p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);
