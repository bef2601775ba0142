import { LATENCY_BUCKET_EDGES_MS as LATENCY_EDGES } from '@metaloop/core';
import { histogramQuantileInterval, mannWhitneyU, quantileExceedanceTest, twoProportionZTest } from '@metaloop/stats';
import type { RollupSums } from '../../rollups/rollup-aggregation';
import type { AnalysisSnapshot, RevisionSums } from '../analysis-snapshot';
import type { AnalyzerThresholds } from '../analyzer-thresholds';
import {
  ciOf,
  dedupKey,
  Detections,
  fmt,
  pct,
  pText,
  severityFrom,
  testEvidence,
  windowsEvidence,
} from '../finding-draft';

/**
 * Performance degradation of a revision against its own baseline: the latency quantile up by
 * more than the threshold (Mood's quantile test on the histograms: is the window's tail above
 * the pooled quantile heavier?), or the success rate down by more than the threshold
 * (one-sided two-proportion z-test).
 */
export function detectPerformance(
  snapshot: AnalysisSnapshot,
  thresholds: AnalyzerThresholds,
  detections: Detections,
): void {
  for (const group of snapshot.groups) {
    if (!group.window || !group.baseline) continue;
    latencyRegression(snapshot, group, group.window, group.baseline, thresholds, detections);
    successDrop(snapshot, group, group.window, group.baseline, thresholds, detections);
  }
}

function latencyRegression(
  snapshot: AnalysisSnapshot,
  group: RevisionSums,
  window: RollupSums,
  baseline: RollupSums,
  t: AnalyzerThresholds,
  detections: Detections,
): void {
  if (window.latency_count < t.min_samples || baseline.latency_count < t.min_samples) return;
  const q = t.latency_quantile;
  const test = quantileExceedanceTest(window.latency_hist, baseline.latency_hist, LATENCY_EDGES, q, {
    alternative: 'greater',
  });
  const handle = detections.test(test.pValue);
  const now = histogramQuantileInterval(window.latency_hist, LATENCY_EDGES, q)!;
  const before = histogramQuantileInterval(baseline.latency_hist, LATENCY_EDGES, q)!;
  const change = now.estimate / before.estimate - 1;
  if (!(100 * change > t.latency_regression_pct)) return;
  const ranks = mannWhitneyU(window.latency_hist, baseline.latency_hist, 'greater');
  const metric = `p${fmt(100 * q)}_latency_ms`;
  detections.propose(
    {
      type: 'performance_degradation',
      agent_id: group.agent_id,
      revision_id: group.revision_id || null,
      severity: severityFrom(
        (100 * change) / t.latency_regression_pct,
        [
          [3, 'critical'],
          [2, 'high'],
        ],
        'medium',
      ),
      confidence: 0,
      summary: `p${fmt(100 * q)} latency up ${pct(change)} (${fmt(before.estimate)} → ${fmt(now.estimate)} ms), ${pText(test.pValue)}`,
      evidence: {
        metric,
        ...windowsEvidence(snapshot.windows),
        n: window.latency_count,
        baseline_n: baseline.latency_count,
        value: now.estimate,
        baseline_value: before.estimate,
        test: test.test,
        statistic: test.statistic,
        p_value: test.pValue,
        effect_size: change,
        ci: ciOf(now),
        baseline_ci: ciOf(before),
        confidence_level: now.confidence,
        threshold_pct: t.latency_regression_pct,
        exceedance: { above_ms: test.threshold, share: test.shareA, baseline_share: test.shareB },
        mann_whitney: { u: ranks.statistic, z: ranks.z, p_value: ranks.pValue, rank_biserial: ranks.effectSize },
        mean_ms: window.latency_sum_ms / window.latency_count,
        baseline_mean_ms: baseline.latency_sum_ms / baseline.latency_count,
      },
      dedup_key: dedupKey('performance_degradation', group.agent_id, group.revision_id, metric),
    },
    handle,
  );
}

function successDrop(
  snapshot: AnalysisSnapshot,
  group: RevisionSums,
  window: RollupSums,
  baseline: RollupSums,
  t: AnalyzerThresholds,
  detections: Detections,
): void {
  if (window.success_n < t.min_samples || baseline.success_n < t.min_samples) return;
  const test = twoProportionZTest(
    { successes: window.success_sum, n: window.success_n },
    { successes: baseline.success_sum, n: baseline.success_n },
    { alternative: 'less' },
  );
  const handle = detections.test(test.pValue);
  const now = window.success_sum / window.success_n;
  const before = baseline.success_sum / baseline.success_n;
  const dropPoints = 100 * (before - now);
  if (!(dropPoints > t.success_drop_points)) return;
  detections.propose(
    {
      type: 'performance_degradation',
      agent_id: group.agent_id,
      revision_id: group.revision_id || null,
      severity: severityFrom(
        dropPoints / t.success_drop_points,
        [
          [3, 'critical'],
          [2, 'high'],
        ],
        'medium',
      ),
      confidence: 0,
      summary: `success rate down ${fmt(dropPoints)} points (${pct(before)} → ${pct(now)}), ${pText(test.pValue)}`,
      evidence: {
        metric: 'success_rate',
        ...windowsEvidence(snapshot.windows),
        n: window.success_n,
        baseline_n: baseline.success_n,
        value: now,
        baseline_value: before,
        ...testEvidence(test),
        effect_size_kind: 'cohens_h',
        ci_of: 'difference',
        threshold_points: t.success_drop_points,
      },
      dedup_key: dedupKey('performance_degradation', group.agent_id, group.revision_id, 'success_rate'),
    },
    handle,
  );
}
