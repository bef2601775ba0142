/** Small statistics of the report: nearest-rank quantiles and shares. */

/** The nearest-rank quantile (the smallest value with at least p of the values at or below it); null when empty. */
export function quantile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

export interface Spread {
  n: number;
  median: number | null;
  p90: number | null;
  max: number | null;
}

export function spread(values: readonly number[]): Spread {
  return { n: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9), max: quantile(values, 1) };
}

/** part / whole, or null when there is no whole to share. */
export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export const percent = (value: number | null, digits = 0): string =>
  value === null ? 'n/a' : `${(100 * value).toFixed(digits)} %`;

export const seconds = (value: number | null): string =>
  value === null ? 'n/a' : value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`;
