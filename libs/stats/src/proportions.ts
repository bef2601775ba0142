import { normalQuantile } from './normal';
import { assertConfidence, assertCount, normalPValue } from './p-value';
import { DEFAULT_CONFIDENCE, type Interval, type Proportion, type TestOptions, type TestResult } from './types';

/**
 * Wilson score interval for a proportion: unlike the Wald interval it stays inside [0, 1] and
 * keeps its coverage for small n and proportions near 0 or 1. `successes` may be fractional
 * (a sum of 0–1 scores).
 */
export function wilsonInterval({ successes, n }: Proportion, confidence = DEFAULT_CONFIDENCE): Interval {
  assertCount('n', n);
  assertConfidence(confidence);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Cohen's h: the difference of arcsine-transformed proportions (0.2 small, 0.5 medium, 0.8 large). */
export function cohensH(p1: number, p2: number): number {
  return 2 * Math.asin(Math.sqrt(clamp01(p1))) - 2 * Math.asin(Math.sqrt(clamp01(p2)));
}

export interface TwoProportionOptions extends TestOptions {
  /**
   * H0's difference p_a − p_b (default 0). Non-zero gives a non-inferiority or superiority test
   * (e.g. −0.02 with `greater`: "a is not worse than b by 2 points or more"), on the unpooled
   * standard error, since pooling assumes equal proportions.
   */
  nullDifference?: number;
}

/**
 * Two-proportion z-test of p_a against p_b (pooled standard error under H0: p_a = p_b), with
 * the Wald interval of p_a − p_b. `less` means p_a < p_b. For fractional successes (mean 0–1
 * scores) the binomial variance p(1 − p) bounds the true one, so the test errs on the safe side.
 * Equals R's `prop.test(correct = FALSE)` (z² is its X-squared).
 */
export function twoProportionZTest(a: Proportion, b: Proportion, options: TwoProportionOptions = {}): TestResult {
  assertCount('a.n', a.n);
  assertCount('b.n', b.n);
  const { alternative = 'two-sided', confidence = DEFAULT_CONFIDENCE, nullDifference = 0 } = options;
  assertConfidence(confidence);
  const pa = a.successes / a.n;
  const pb = b.successes / b.n;
  const difference = pa - pb;
  const se = Math.sqrt((pa * (1 - pa)) / a.n + (pb * (1 - pb)) / b.n);
  const pooled = (a.successes + b.successes) / (a.n + b.n);
  const se0 = nullDifference === 0 ? Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n)) : se;
  const statistic = se0 > 0 ? (difference - nullDifference) / se0 : 0;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return {
    test: 'two_proportion_z',
    alternative,
    statistic,
    pValue: normalPValue(statistic, alternative),
    estimate: difference,
    ci: { lower: difference - z * se, upper: difference + z * se },
    confidence,
    effectSize: cohensH(pa, pb),
  };
}

/** One-proportion z-test of p against p0 (standard error under H0), with the Wilson interval of p. */
export function oneProportionZTest(sample: Proportion, p0: number, options: TestOptions = {}): TestResult {
  assertCount('n', sample.n);
  if (!(p0 > 0 && p0 < 1)) throw new RangeError(`p0 must be in (0, 1), got ${p0}`);
  const { alternative = 'two-sided', confidence = DEFAULT_CONFIDENCE } = options;
  const p = sample.successes / sample.n;
  const statistic = (p - p0) / Math.sqrt((p0 * (1 - p0)) / sample.n);
  return {
    test: 'one_proportion_z',
    alternative,
    statistic,
    pValue: normalPValue(statistic, alternative),
    estimate: p,
    ci: wilsonInterval(sample, confidence),
    confidence,
    effectSize: cohensH(p, p0),
  };
}

function clamp01(p: number): number {
  return Math.min(1, Math.max(0, p));
}
