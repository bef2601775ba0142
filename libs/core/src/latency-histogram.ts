/**
 * The fixed latency histogram of the per-minute rollups: log-spaced upper bounds in ms
 * (×√2 from 1 ms, the last bucket open-ended), so percentiles come from counts alone and
 * rollups of any minutes add up bucket by bucket.
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = Array.from(
  { length: 40 },
  (_, i) => Math.round(Math.SQRT2 ** i * 100) / 100,
);

/**
 * All bucket edges, for the histogram statistics of @metaloop/stats: bucket i holds
 * (edges[i], edges[i+1]]; 0 below the first, and the overflow bucket read as one more ×√2
 * step, as latencyQuantile reads it.
 */
export const LATENCY_BUCKET_EDGES_MS: readonly number[] = [
  0,
  ...LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKET_BOUNDS_MS[LATENCY_BUCKET_BOUNDS_MS.length - 1]! * Math.SQRT2,
];

/** Number of buckets: one per bound plus the overflow bucket. */
export const LATENCY_BUCKETS = LATENCY_BUCKET_BOUNDS_MS.length + 1;

/** Index of the bucket holding `ms`: the first whose upper bound is ≥ ms, else the overflow. */
export function latencyBucket(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BUCKET_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (LATENCY_BUCKET_BOUNDS_MS[mid]! >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The q-quantile (0..1) from bucket counts, interpolated within the bucket; undefined when empty. */
export function latencyQuantile(counts: ArrayLike<number>, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (count > 0 && seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKET_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BUCKET_BOUNDS_MS[i] ?? lower * Math.SQRT2;
      return lower + ((rank - seen) / count) * (upper - lower);
    }
    seen += count;
  }
  return LATENCY_BUCKET_BOUNDS_MS[LATENCY_BUCKET_BOUNDS_MS.length - 1];
}
