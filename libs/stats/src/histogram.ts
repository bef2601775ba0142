import { normalQuantile } from './normal';
import { assertConfidence, normalPValue } from './p-value';
import { twoProportionZTest } from './proportions';
import {
  DEFAULT_CONFIDENCE,
  type Alternative,
  type Interval,
  type Moments,
  type TestOptions,
  type TestResult,
} from './types';

/*
 * Statistics on fixed-bucket histograms (bucket counts, as the latency rollups keep them).
 * `edges` has one entry more than `counts`: bucket i holds values in (edges[i], edges[i+1]];
 * within a bucket values are taken as spread evenly, the usual histogram interpolation.
 */

function total(counts: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i]!;
  return sum;
}

function assertEdges(counts: ArrayLike<number>, edges: ArrayLike<number>): void {
  if (edges.length !== counts.length + 1)
    throw new RangeError(`edges must have counts.length + 1 = ${counts.length + 1} entries, got ${edges.length}`);
}

/** The value at a (fractional) rank, 0 ≤ rank ≤ total, interpolated within its bucket. */
function valueAtRank(counts: ArrayLike<number>, edges: ArrayLike<number>, rank: number): number {
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (count > 0 && seen + count >= rank)
      return edges[i]! + (Math.max(0, rank - seen) / count) * (edges[i + 1]! - edges[i]!);
    seen += count;
  }
  return edges[edges.length - 1]!;
}

/** The q-quantile (0 ≤ q ≤ 1) of a histogram; undefined when it is empty. */
export function histogramQuantile(counts: ArrayLike<number>, edges: ArrayLike<number>, q: number): number | undefined {
  assertEdges(counts, edges);
  const n = total(counts);
  return n === 0 ? undefined : valueAtRank(counts, edges, q * n);
}

/**
 * Count, sum and sum of squares of a histogram with each value at its bucket's midpoint: the
 * moments a mean test (e.g. `sequentialMeanTest` on latency) needs when only bucket counts were
 * kept. Within √2-wide buckets the midpoint is off by at most ~17 % per value, far less on average.
 */
export function histogramMoments(counts: ArrayLike<number>, edges: ArrayLike<number>): Moments {
  assertEdges(counts, edges);
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < counts.length; i++) {
    const mid = (edges[i]! + edges[i + 1]!) / 2;
    n += counts[i]!;
    sum += counts[i]! * mid;
    sumSq += counts[i]! * mid * mid;
  }
  return { n, sum, sumSq };
}

export interface QuantileEstimate extends Interval {
  estimate: number;
  confidence: number;
}

/**
 * The q-quantile with a distribution-free interval: the order statistics whose ranks are
 * n·q ∓ z·√(n·q·(1 − q)) (the normal approximation to their binomial law, good from a few
 * dozen observations), read off the histogram like the estimate. Undefined when empty.
 */
export function histogramQuantileInterval(
  counts: ArrayLike<number>,
  edges: ArrayLike<number>,
  q: number,
  confidence = DEFAULT_CONFIDENCE,
): QuantileEstimate | undefined {
  assertEdges(counts, edges);
  assertConfidence(confidence);
  const n = total(counts);
  if (n === 0) return undefined;
  const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(n * q * (1 - q));
  return {
    estimate: valueAtRank(counts, edges, q * n),
    lower: valueAtRank(counts, edges, Math.max(0, q * n - half)),
    upper: valueAtRank(counts, edges, Math.min(n, q * n + half)),
    confidence,
  };
}

export interface MannWhitneyResult {
  test: 'mann_whitney_u';
  alternative: Alternative;
  /** U of the first sample: pairs where it is larger, ties counting ½ (scipy's U1). */
  statistic: number;
  z: number;
  pValue: number;
  /** P(X > Y) + ½·P(X = Y), the common-language effect size (= U / (n₁·n₂)). */
  probabilityOfSuperiority: number;
  /** Rank-biserial correlation 2·U/(n₁·n₂) − 1, in [−1, 1]; positive when x tends to be larger. */
  effectSize: number;
}

/**
 * Mann-Whitney U test of two samples given as counts over the same ordered buckets: every
 * value in a bucket is a tie, and the variance carries the tie correction. Normal
 * approximation with continuity correction, as scipy's `mannwhitneyu(method='asymptotic')`.
 * `greater`: x tends to be larger than y.
 */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  if (x.length !== y.length) throw new RangeError(`both histograms need the same buckets (${x.length} ≠ ${y.length})`);
  const n1 = total(x);
  const n2 = total(y);
  if (!(n1 > 0 && n2 > 0)) throw new RangeError('both samples need at least one value');
  let u = 0;
  let yBelow = 0;
  let ties = 0;
  for (let i = 0; i < x.length; i++) {
    u += x[i]! * (yBelow + 0.5 * y[i]!);
    yBelow += y[i]!;
    const t = x[i]! + y[i]!;
    ties += t * t * t - t;
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  const sd = Math.sqrt(Math.max(0, variance));
  const deviation = u - mean;
  // Continuity correction: half a unit towards the mean.
  const corrected =
    alternative === 'two-sided'
      ? Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5)
      : alternative === 'greater'
        ? deviation - 0.5
        : deviation + 0.5;
  const z = sd > 0 ? corrected / sd : 0;
  const probabilityOfSuperiority = u / (n1 * n2);
  return {
    test: 'mann_whitney_u',
    alternative,
    statistic: u,
    z,
    pValue: sd > 0 ? normalPValue(z, alternative) : 1,
    probabilityOfSuperiority,
    effectSize: 2 * probabilityOfSuperiority - 1,
  };
}

export interface ExceedanceTestResult extends TestResult {
  /** First bucket counted as exceeding: values above edges[cutBucket]. */
  cutBucket: number;
  /** The value the shares are measured above. */
  threshold: number;
  /** Share of each sample above the threshold. */
  shareA: number;
  shareB: number;
}

/**
 * Whether sample a has a heavier tail than b around the q-quantile (e.g. q = 0.95 for p95),
 * Mood's quantile test on histograms: the cut is the bucket edge nearest the POOLED
 * q-quantile, which treats both samples alike under H0 (choosing it from b alone would bias
 * the test), then the shares above it are compared with a two-proportion z-test. `greater`:
 * a has more of its values above the cut. When no edge splits the pooled sample the answer
 * is p = 1 (no information).
 */
export function quantileExceedanceTest(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  edges: ArrayLike<number>,
  q: number,
  options: TestOptions = {},
): ExceedanceTestResult {
  assertEdges(a, edges);
  if (a.length !== b.length) throw new RangeError(`both histograms need the same buckets (${a.length} ≠ ${b.length})`);
  const na = total(a);
  const nb = total(b);
  if (!(na > 0 && nb > 0)) throw new RangeError('both samples need at least one value');
  const n = na + nb;
  let cutBucket = -1;
  let bestDistance = Infinity;
  let above = n;
  for (let k = 1; k < a.length; k++) {
    above -= a[k - 1]! + b[k - 1]!;
    if (above <= 0) break;
    if (above >= n) continue;
    const distance = Math.abs(above / n - (1 - q));
    if (distance < bestDistance) {
      bestDistance = distance;
      cutBucket = k;
    }
  }
  const exceed = (counts: ArrayLike<number>) => {
    let sum = 0;
    for (let i = Math.max(0, cutBucket); i < counts.length; i++) sum += counts[i]!;
    return cutBucket < 0 ? 0 : sum;
  };
  const successesA = exceed(a);
  const successesB = exceed(b);
  const result = twoProportionZTest({ successes: successesA, n: na }, { successes: successesB, n: nb }, options);
  return {
    ...result,
    test: 'quantile_exceedance_z',
    ...(cutBucket < 0 ? { statistic: 0, pValue: 1 } : {}),
    cutBucket,
    threshold: cutBucket < 0 ? Number.NaN : edges[cutBucket]!,
    shareA: successesA / na,
    shareB: successesB / nb,
  };
}
