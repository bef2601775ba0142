import type { CanaryPolicy, GuardedMetric } from '@metaloop/policies';
import {
  SEQUENTIAL_DEFAULTS,
  sequentialMeanTest,
  sequentialProportionTest,
  type Moments,
  type SequentialOptions,
  type SequentialResult,
} from '@metaloop/stats';
import { finiteOrNull, latencyMoments, round, type ArmSums } from './arm-sums';

/** A metric the user registered (metric_definitions), summed per arm from `metric_rollups`. */
export interface RegisteredMetricReading {
  name: string;
  type: 'boolean' | 'float';
  optimize: 'max' | 'min';
  canary: Moments;
  stable: Moments;
}

/** The always-valid p-values of the last look, per test: each look keeps their running minimum. */
export type PreviousPValues = Record<string, { harm_p_value: number; non_inferiority_p_value: number }>;

/** One guarded metric's comparison, as the decision record keeps it. */
export interface GuardedTest {
  metric: string;
  test: SequentialResult['test'];
  better: 'higher' | 'lower';
  /** `worse`/`better`: significantly so (always-valid, no margin); `inconclusive` otherwise. */
  decision: 'worse' | 'better' | 'inconclusive';
  n_canary: number;
  n_stable: number;
  /** candidate − stable, in the metric's units. */
  difference: number;
  /** ln Λ of the harm test and the threshold ln(1/α) it must reach to roll back. */
  log_likelihood_ratio: number;
  threshold: number;
  /** Always-valid p-value of "the canary is worse" (running minimum over the looks). */
  harm_p_value: number;
  non_inferiority_p_value: number;
  alpha: number;
  /** Always-valid confidence sequence of the improvement (positive = canary better); null before min samples. */
  confidence_sequence: [number, number] | null;
}

type Comparison = (options: SequentialOptions) => SequentialResult;

const proportion = (successes: number, n: number) => ({ successes, n });

/** The comparisons of the guarded metrics, each with its direction. */
const GUARDED: Record<
  GuardedMetric,
  { better: 'higher' | 'lower'; compare: (canary: ArmSums, stable: ArmSums) => Comparison }
> = {
  success_rate: {
    better: 'higher',
    compare: (c, s) => (o) =>
      sequentialProportionTest(proportion(c.successSum, c.successN), proportion(s.successSum, s.successN), o),
  },
  error_rate: {
    better: 'lower',
    compare: (c, s) => (o) => sequentialProportionTest(proportion(c.errors, c.count), proportion(s.errors, s.count), o),
  },
  mean_rating: {
    better: 'higher',
    compare: (c, s) => (o) =>
      sequentialMeanTest(
        { n: c.ratingCount, sum: c.ratingSum, sumSq: c.ratingSumSq },
        { n: s.ratingCount, sum: s.ratingSum, sumSq: s.ratingSumSq },
        o,
      ),
  },
  // Mean latency from the histogram guards the tail too (a slower tail moves the mean); the p95
  // of each arm is in the record beside it, and the hard threshold watches the canary's p95.
  p95_latency_ms: {
    better: 'lower',
    compare: (c, s) => (o) => sequentialMeanTest(latencyMoments(c), latencyMoments(s), o),
  },
  complaint_rate: {
    better: 'lower',
    compare: (c, s) => (o) =>
      sequentialProportionTest(proportion(c.complaints, c.count), proportion(s.complaints, s.count), o),
  },
};

/**
 * Canary vs stable since the rollout started, on every guarded metric and every registered
 * metric in its optimize direction: one-sided mSPRTs (valid however often they are looked at),
 * Bonferroni-split so the whole family stays within the policy's `sequential_alpha`.
 */
export function guardedTests(
  policy: CanaryPolicy,
  canary: ArmSums,
  stable: ArmSums,
  registered: readonly RegisteredMetricReading[],
  previous: PreviousPValues,
): GuardedTest[] {
  const comparisons: Array<{ metric: string; better: 'higher' | 'lower'; run: Comparison }> = [
    ...policy.guarded_metrics.map((metric) => ({
      metric,
      better: GUARDED[metric].better,
      run: GUARDED[metric].compare(canary, stable),
    })),
    ...registered.map((m) => {
      const better = m.optimize === 'max' ? ('higher' as const) : ('lower' as const);
      const run: Comparison =
        m.type === 'boolean'
          ? (o) =>
              sequentialProportionTest(proportion(m.canary.sum, m.canary.n), proportion(m.stable.sum, m.stable.n), o)
          : (o) => sequentialMeanTest(m.canary, m.stable, o);
      return { metric: `metrics.${m.name}`, better, run };
    }),
  ];
  const alpha = policy.sequential_alpha / Math.max(1, comparisons.length);
  const minSamples = Math.min(SEQUENTIAL_DEFAULTS.minSamples, policy.min_samples_per_arm);
  return comparisons.map(({ metric, better, run }) => {
    const last = previous[metric];
    const result = run({
      alpha,
      better,
      minSamples,
      previous: last && { harmPValue: last.harm_p_value, nonInferiorityPValue: last.non_inferiority_p_value },
    });
    const { lower, upper } = result.confidenceSequence;
    return {
      metric,
      test: result.test,
      better,
      // With no margin, "not worse" is the other one-sided test rejecting: significantly better.
      decision: result.decision === 'not_worse' ? 'better' : result.decision,
      n_canary: result.nCandidate,
      n_stable: result.nStable,
      difference: round(result.difference),
      log_likelihood_ratio: round(result.harm.logLikelihoodRatio),
      threshold: round(result.harm.threshold),
      harm_p_value: result.harm.pValue,
      non_inferiority_p_value: result.nonInferiority.pValue,
      alpha,
      confidence_sequence:
        Number.isFinite(lower) && Number.isFinite(upper) ? [finiteOrNull(lower)!, finiteOrNull(upper)!] : null,
    };
  });
}

/** The p-values a decision record carries, for the next look's running minimum. */
export function pValuesOf(tests: readonly GuardedTest[]): PreviousPValues {
  return Object.fromEntries(
    tests.map((t) => [t.metric, { harm_p_value: t.harm_p_value, non_inferiority_p_value: t.non_inferiority_p_value }]),
  );
}
