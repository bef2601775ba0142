import { assertConfidence, assertCount, pValueFor } from './p-value';
import { studentTCdf, studentTQuantile, studentTSf } from './student-t';
import { DEFAULT_CONFIDENCE, type Alternative, type Moments, type TestOptions, type TestResult } from './types';

export interface TTestResult extends TestResult {
  /** Degrees of freedom (fractional for Welch). */
  df: number;
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample variance (n − 1 in the denominator); 0 for a single value. */
  variance: number;
}

/** Mean and sample variance from count, sum and sum of squares (negative rounding clamped to 0). */
export function summarize({ n, sum, sumSq }: Moments): Summary {
  assertCount('n', n);
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - sum * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}

/** Hedges' g: the mean difference over the pooled standard deviation, bias-corrected for small samples. */
export function hedgesG(a: Moments, b: Moments): number {
  const sa = summarize(a);
  const sb = summarize(b);
  const df = sa.n + sb.n - 2;
  if (df <= 0) return 0;
  const pooledSd = Math.sqrt(((sa.n - 1) * sa.variance + (sb.n - 1) * sb.variance) / df);
  if (pooledSd === 0) return 0;
  const correction = 1 - 3 / (4 * df - 1);
  return ((sa.mean - sb.mean) / pooledSd) * correction;
}

/**
 * Welch's t-test of mean_a against mean_b from rollup moments, with the interval of the
 * difference (Welch–Satterthwaite degrees of freedom). Equals R's `t.test(var.equal = FALSE)`.
 */
export function welchTTest(a: Moments, b: Moments, options: TestOptions = {}): TTestResult {
  const { alternative = 'two-sided', confidence = DEFAULT_CONFIDENCE } = options;
  assertConfidence(confidence);
  const sa = summarize(a);
  const sb = summarize(b);
  const va = sa.variance / sa.n;
  const vb = sb.variance / sb.n;
  const se = Math.sqrt(va + vb);
  const difference = sa.mean - sb.mean;
  const df =
    se > 0
      ? (va + vb) ** 2 / (va ** 2 / Math.max(1, sa.n - 1) + vb ** 2 / Math.max(1, sb.n - 1))
      : Math.max(1, sa.n + sb.n - 2);
  return tResult('welch_t', difference, se, df, alternative, confidence, hedgesG(a, b));
}

/** One-sample t-test of the mean against mu0, with the t interval of the mean. */
export function oneSampleTTest(sample: Moments, mu0: number, options: TestOptions = {}): TTestResult {
  const { alternative = 'two-sided', confidence = DEFAULT_CONFIDENCE } = options;
  assertConfidence(confidence);
  const s = summarize(sample);
  const se = Math.sqrt(s.variance / s.n);
  const sd = Math.sqrt(s.variance);
  const result = tResult(
    'one_sample_t',
    s.mean - mu0,
    se,
    Math.max(1, s.n - 1),
    alternative,
    confidence,
    sd > 0 ? (s.mean - mu0) / sd : 0,
  );
  return { ...result, estimate: s.mean, ci: { lower: result.ci.lower + mu0, upper: result.ci.upper + mu0 } };
}

function tResult(
  test: string,
  difference: number,
  se: number,
  df: number,
  alternative: Alternative,
  confidence: number,
  effectSize: number,
): TTestResult {
  // Without any spread a difference is certain and no difference is no evidence.
  const statistic = se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity;
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * se;
  return {
    test,
    alternative,
    statistic,
    pValue: pValueFor(
      statistic,
      alternative,
      (t) => studentTCdf(t, df),
      (t) => studentTSf(t, df),
    ),
    estimate: difference,
    ci: { lower: difference - half, upper: difference + half },
    confidence,
    effectSize,
    df,
  };
}
