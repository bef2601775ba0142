import { LATENCY_BUCKET_EDGES_MS, LATENCY_BUCKETS } from '@metaloop/core';
import { histogramMoments, histogramQuantile, type Moments } from '@metaloop/stats';

/** One arm's feedback summed over a window of minute rollups (the columns of `feedback_rollups`). */
export interface ArmSums {
  count: number;
  successN: number;
  successSum: number;
  errors: number;
  ratingCount: number;
  ratingSum: number;
  ratingSumSq: number;
  helpfulUp: number;
  helpfulDown: number;
  complaints: number;
  latencyCount: number;
  /** Counts per LATENCY_BUCKETS bucket. */
  latencyHist: number[];
}

export function emptySums(): ArmSums {
  return {
    count: 0,
    successN: 0,
    successSum: 0,
    errors: 0,
    ratingCount: 0,
    ratingSum: 0,
    ratingSumSq: 0,
    helpfulUp: 0,
    helpfulDown: 0,
    complaints: 0,
    latencyCount: 0,
    latencyHist: new Array<number>(LATENCY_BUCKETS).fill(0),
  };
}

/** The share of events that report a failure (`success: false` or an error code). */
export const errorRate = (arm: ArmSums) => (arm.count > 0 ? arm.errors / arm.count : undefined);
export const successRate = (arm: ArmSums) => (arm.successN > 0 ? arm.successSum / arm.successN : undefined);
export const meanRating = (arm: ArmSums) => (arm.ratingCount > 0 ? arm.ratingSum / arm.ratingCount : undefined);
export const helpfulShare = (arm: ArmSums) =>
  arm.helpfulUp + arm.helpfulDown > 0 ? arm.helpfulUp / (arm.helpfulUp + arm.helpfulDown) : undefined;
export const p95LatencyMs = (arm: ArmSums) => histogramQuantile(arm.latencyHist, LATENCY_BUCKET_EDGES_MS, 0.95);
/** Latency moments from the histogram's bucket midpoints (the rollups keep no sum of squares). */
export const latencyMoments = (arm: ArmSums): Moments => histogramMoments(arm.latencyHist, LATENCY_BUCKET_EDGES_MS);

/** A few figures of an arm for the decision record. */
export function armSummary(arm: ArmSums) {
  return {
    events: arm.count,
    success_rate: finiteOrNull(successRate(arm)),
    error_rate: finiteOrNull(errorRate(arm)),
    mean_rating: finiteOrNull(meanRating(arm)),
    helpful_share: finiteOrNull(helpfulShare(arm)),
    p95_latency_ms: finiteOrNull(p95LatencyMs(arm)),
    complaints: arm.complaints,
  };
}

/** JSON has no Infinity or NaN: the decision record keeps null instead. */
export function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? round(value) : null;
}

export function round(value: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
