import { oneSampleTTest, poissonSf } from '@metaloop/stats';
import type { AnalysisSnapshot } from '../analysis-snapshot';
import type { AnalyzerThresholds } from '../analyzer-thresholds';
import { dedupKey, Detections, fmt, pText, range, severityFrom, testEvidence, windowsEvidence } from '../finding-draft';

const MINUTE_MS = 60_000;

/**
 * Dissatisfaction: a revision's mean rating in the window below the threshold, by a one-sided
 * one-sample t-test against it (from the rating count, sum and sum of squares).
 */
export function detectLowRatings(snapshot: AnalysisSnapshot, t: AnalyzerThresholds, detections: Detections): void {
  for (const group of snapshot.groups) {
    const window = group.window;
    if (!window || window.rating_count < t.min_samples) continue;
    const test = oneSampleTTest({ n: window.rating_count, sum: window.rating_sum, sumSq: window.rating_sum_sq }, t.min_rating, { alternative: 'less' });
    const handle = detections.test(test.pValue);
    const mean = test.estimate;
    if (!(mean < t.min_rating)) continue;
    const baseline = group.baseline && group.baseline.rating_count > 0 ? group.baseline : undefined;
    detections.propose(
      {
        type: 'dissatisfaction',
        agent_id: group.agent_id,
        revision_id: group.revision_id || null,
        severity: severityFrom(t.min_rating - mean, [[1, 'critical'], [0.5, 'high']], 'medium'),
        confidence: 0,
        summary: `mean rating ${fmt(mean)} (95 % CI ${fmt(test.ci.lower)}–${fmt(test.ci.upper)}) below ${t.min_rating} over ${window.rating_count} ratings, ${pText(test.pValue)}`,
        evidence: {
          metric: 'rating',
          ...windowsEvidence(snapshot.windows),
          n: window.rating_count,
          value: mean,
          ...(baseline ? { baseline_n: baseline.rating_count, baseline_value: baseline.rating_sum / baseline.rating_count } : {}),
          ...testEvidence(test),
          effect_size_kind: 'cohens_d_vs_threshold',
          threshold: t.min_rating,
          helpful_up: window.helpful_up,
          helpful_down: window.helpful_down,
          complaints: window.complaints,
        },
        dedup_key: dedupKey('dissatisfaction', group.agent_id, group.revision_id, 'rating'),
      },
      handle,
    );
  }
}

/**
 * Complaint burst: more complaints in the burst window than the policy allows (seed 004's
 * rollback rule, a plain count). Its confidence says how unusual the count is: 1 − P(X ≥ k)
 * for X Poisson with the revision's baseline complaint rate over the burst window.
 */
export function detectComplaintBursts(snapshot: AnalysisSnapshot, t: AnalyzerThresholds, detections: Detections): void {
  const { baseline, burst } = snapshot.windows;
  const baselineMinutes = (baseline.to.getTime() - baseline.from.getTime()) / MINUTE_MS;
  const burstMinutes = (burst.to.getTime() - burst.from.getTime()) / MINUTE_MS;
  const baselineComplaints = new Map(snapshot.groups.map((g) => [`${g.agent_id}\u0000${g.revision_id}`, g.baseline?.complaints ?? 0]));
  for (const { agent_id, revision_id, complaints } of snapshot.bursts) {
    if (!(complaints > t.complaint_burst_count)) continue;
    const expected = ((baselineComplaints.get(`${agent_id}\u0000${revision_id}`) ?? 0) / baselineMinutes) * burstMinutes;
    const pValue = poissonSf(complaints, expected);
    detections.propose({
      type: 'complaint_burst',
      agent_id,
      revision_id: revision_id || null,
      severity: severityFrom(complaints / t.complaint_burst_count, [[4, 'critical'], [2, 'high']], 'medium'),
      confidence: 1 - pValue,
      summary: `${complaints} complaints in the last ${t.complaint_burst_window_minutes} min (more than ${t.complaint_burst_count}; ${fmt(expected)} expected at the baseline rate, ${pText(pValue)})`,
      evidence: {
        metric: 'complaints',
        window: range(burst),
        baseline_window: range(baseline),
        n: complaints,
        value: complaints,
        baseline_value: expected,
        test: 'poisson_upper_tail',
        p_value: pValue,
        threshold: t.complaint_burst_count,
      },
      dedup_key: dedupKey('complaint_burst', agent_id, revision_id),
    });
  }
}
