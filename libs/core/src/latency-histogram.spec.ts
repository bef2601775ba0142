import {
  LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKET_EDGES_MS,
  LATENCY_BUCKETS,
  latencyBucket,
  latencyQuantile,
} from './latency-histogram';

describe('latency histogram', () => {
  it('puts each latency in the first bucket whose bound holds it', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(1.2)).toBe(1);
    expect(latencyBucket(250)).toBe(LATENCY_BUCKET_BOUNDS_MS.findIndex((b) => b >= 250));
    expect(latencyBucket(86_400_000)).toBe(LATENCY_BUCKETS - 1);
  });

  it('estimates quantiles within one bucket width (×√2)', () => {
    const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
    const samples = Array.from({ length: 10_000 }, (_, i) => 50 + (i % 1000));
    for (const ms of samples) counts[latencyBucket(ms)]! += 1;
    const sorted = [...samples].sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const estimate = latencyQuantile(counts, q)!;
      expect(estimate / exact).toBeGreaterThan(1 / Math.SQRT2);
      expect(estimate / exact).toBeLessThan(Math.SQRT2);
    }
  });

  it('lists every bucket edge: 0, the bounds, one more ×√2 step for the overflow bucket', () => {
    expect(LATENCY_BUCKET_EDGES_MS).toHaveLength(LATENCY_BUCKETS + 1);
    expect(LATENCY_BUCKET_EDGES_MS.slice(1, -1)).toEqual(LATENCY_BUCKET_BOUNDS_MS);
    expect(LATENCY_BUCKET_EDGES_MS[0]).toBe(0);
    expect(LATENCY_BUCKET_EDGES_MS[LATENCY_BUCKETS]).toBeCloseTo(LATENCY_BUCKET_BOUNDS_MS.at(-1)! * Math.SQRT2, 9);
  });

  it('has no quantile without samples', () => {
    expect(latencyQuantile(new Array(LATENCY_BUCKETS).fill(0), 0.95)).toBeUndefined();
  });
});
