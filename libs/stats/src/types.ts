/** Which way a test looks: `less`/`greater` say how the first sample compares with the second (or the null). */
export type Alternative = 'two-sided' | 'less' | 'greater';

export interface Interval {
  lower: number;
  upper: number;
}

export interface TestOptions {
  alternative?: Alternative;
  /** Level of the (always two-sided) confidence interval returned with a test; default 0.95. */
  confidence?: number;
}

/** What every test answers. `ci` is the two-sided interval of `estimate` at `confidence`. */
export interface TestResult {
  test: string;
  alternative: Alternative;
  statistic: number;
  pValue: number;
  /** The estimated difference (or value) the test is about. */
  estimate: number;
  ci: Interval;
  confidence: number;
  /** A standardised effect: Cohen's h for proportions, Hedges' g for means, rank-biserial r for ranks. */
  effectSize: number;
}

/** A sample of a continuous quantity as rollups keep it: count, sum and sum of squares. */
export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

/** A sample of a 0/1 (or 0–1) quantity: the sum of the values and their count. */
export interface Proportion {
  successes: number;
  n: number;
}

export const DEFAULT_CONFIDENCE = 0.95;
