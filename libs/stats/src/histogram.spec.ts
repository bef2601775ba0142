import {
  histogramMoments,
  histogramQuantile,
  histogramQuantileInterval,
  mannWhitneyU,
  quantileExceedanceTest,
} from './histogram';
import { twoProportionZTest } from './proportions';
import { createRandom } from './random';

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);

// Ten buckets of width 10 over (0, 100].
const EDGES = Array.from({ length: 11 }, (_, i) => i * 10);

describe('histogram quantiles', () => {
  const counts = [0, 10, 30, 40, 20, 0, 0, 0, 0, 0];

  it('interpolates within the bucket holding the rank', () => {
    expect(histogramQuantile(counts, EDGES, 0.5)).toBeCloseTo(32.5, 12); // rank 50: 10 into the 40 of (30, 40]
    expect(histogramQuantile(counts, EDGES, 0.95)).toBeCloseTo(47.5, 12); // rank 95: 15 into the 20 of (40, 50]
    expect(histogramQuantile(counts, EDGES, 1)).toBeCloseTo(50, 12);
    expect(histogramQuantile(new Array(10).fill(0), EDGES, 0.5)).toBeUndefined();
    expect(() => histogramQuantile(counts, EDGES.slice(1), 0.5)).toThrow(RangeError);
  });

  it('gives the moments with every value at its bucket midpoint', () => {
    // 10 at 15, 30 at 25, 40 at 35, 20 at 45.
    expect(histogramMoments(counts, EDGES)).toEqual({
      n: 100,
      sum: 150 + 750 + 1400 + 900,
      sumSq: 10 * 225 + 30 * 625 + 40 * 1225 + 20 * 2025,
    });
  });

  it('gives a distribution-free interval from the order statistics around n·q', () => {
    const interval = histogramQuantileInterval(counts, EDGES, 0.5)!;
    const half = 1.959963984540054 * Math.sqrt(100 * 0.25); // 9.80 ranks either side of 50
    expect(interval.estimate).toBeCloseTo(32.5, 12);
    close(interval.lower, 30 + ((50 - half - 40) / 40) * 10, 1e-9);
    close(interval.upper, 30 + ((50 + half - 40) / 40) * 10, 1e-9);
  });

  it('covers the true p95 of a known distribution in about 95 % of samples', () => {
    // Exponential with mean 20, p95 = 20·ln 20 ≈ 59.9; 400 draws per sample.
    const truth = 20 * Math.log(20);
    const random = createRandom(7);
    let covered = 0;
    const samples = 400;
    for (let s = 0; s < samples; s++) {
      const histogram = new Array(10).fill(0);
      for (let i = 0; i < 400; i++) histogram[Math.min(9, Math.floor((-20 * Math.log(1 - random.next())) / 10))]++;
      const interval = histogramQuantileInterval(histogram, EDGES, 0.95)!;
      if (interval.lower <= truth && truth <= interval.upper) covered++;
    }
    expect(covered / samples).toBeGreaterThan(0.9);
    expect(covered / samples).toBeLessThan(0.99);
  });
});

describe('Mann-Whitney U on bucket counts (ties within buckets)', () => {
  // Reference: scipy.stats.mannwhitneyu(np.repeat(buckets, counts), ..., method='asymptotic', use_continuity=True).
  it.each([
    [[0, 3, 5, 2, 0, 1], [1, 4, 2, 1, 0, 0], 'two-sided', 62, 0.127342365370482],
    [[0, 3, 5, 2, 0, 1], [1, 4, 2, 1, 0, 0], 'greater', 62, 0.063671182685241],
    [[0, 3, 5, 2, 0, 1], [1, 4, 2, 1, 0, 0], 'less', 62, 0.9464961807008323],
    [
      [5, 20, 40, 60, 30, 10, 5, 2, 0, 1],
      [2, 10, 30, 50, 45, 25, 12, 5, 3, 2],
      'two-sided',
      11551,
      4.442388136937684e-6,
    ],
    [[5, 20, 40, 60, 30, 10, 5, 2, 0, 1], [2, 10, 30, 50, 45, 25, 12, 5, 3, 2], 'less', 11551, 2.221194068468842e-6],
    [[2, 10, 30, 50, 45, 25, 12, 5, 3, 2], [5, 20, 40, 60, 30, 10, 5, 2, 0, 1], 'greater', 20281, 2.221194068468842e-6],
  ] as const)('%j vs %j (%s)', (x, y, alternative, u, p) => {
    const result = mannWhitneyU(x, y, alternative);
    expect(result.statistic).toBe(u);
    close(result.pValue, p, 1e-12 + p * 1e-9);
  });

  it('reports the common-language effect and the rank-biserial correlation', () => {
    const result = mannWhitneyU([0, 0, 10], [10, 0, 0], 'greater');
    expect(result.probabilityOfSuperiority).toBe(1);
    expect(result.effectSize).toBe(1);
    expect(mannWhitneyU([4, 4], [4, 4]).effectSize).toBe(0);
    expect(mannWhitneyU([5, 0], [5, 0]).pValue).toBe(1); // one bucket: all ties, no information
    expect(() => mannWhitneyU([1, 2], [1])).toThrow(RangeError);
  });
});

describe('quantile exceedance test (Mood) on histograms', () => {
  it('cuts at the edge nearest the pooled q-quantile and compares the shares above it', () => {
    const a = [0, 0, 10, 40, 30, 15, 5, 0, 0, 0];
    const b = [0, 0, 20, 50, 25, 4, 1, 0, 0, 0];
    // Pooled 200: above 50 → 26 (13 %), above 60 → 6 (3 %): 60 is nearer the 5 % of q = 0.95.
    const result = quantileExceedanceTest(a, b, EDGES, 0.95, { alternative: 'greater' });
    expect(result.cutBucket).toBe(6);
    expect(result.threshold).toBe(60);
    expect(result.shareA).toBeCloseTo(0.05, 12);
    expect(result.shareB).toBeCloseTo(0.01, 12);
    const reference = twoProportionZTest(
      { successes: 5, n: 100 },
      { successes: 1, n: 100 },
      { alternative: 'greater' },
    );
    expect(result.statistic).toBe(reference.statistic);
    expect(result.pValue).toBe(reference.pValue);
    expect(result.test).toBe('quantile_exceedance_z');
  });

  it('has no information when one bucket holds everything', () => {
    const result = quantileExceedanceTest([0, 9, 0], [0, 4, 0], [0, 1, 2, 3], 0.95, { alternative: 'greater' });
    expect(result.pValue).toBe(1);
    expect(result.cutBucket).toBe(-1);
  });

  it('keeps its level under H0: samples of one distribution reject in about alpha of the runs', () => {
    const random = createRandom(11);
    let rejected = 0;
    const runs = 2000;
    const draw = (n: number) => {
      const histogram = new Array(10).fill(0);
      for (let i = 0; i < n; i++) histogram[Math.min(9, Math.floor((-20 * Math.log(1 - random.next())) / 10))]++;
      return histogram;
    };
    for (let r = 0; r < runs; r++)
      if (quantileExceedanceTest(draw(300), draw(300), EDGES, 0.95, { alternative: 'greater' }).pValue <= 0.05)
        rejected++;
    expect(rejected / runs).toBeLessThan(0.07);
    expect(rejected / runs).toBeGreaterThan(0.02);
  });
});
