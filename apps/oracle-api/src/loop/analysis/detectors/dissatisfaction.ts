import { binomialShareTest, oneSampleTTest } from '@metaloop/stats';
import type { AnalysisSnapshot, RevisionSums } from '../analysis-snapshot';
import type { AnalyzerThresholds } from '../analyzer-thresholds';
import { dedupKey, Detections, fmt, pText, range, severityFrom, testEvidence, windowsEvidence } from '../finding-draft';

/**
 * Dissatisfaction: a revision's mean rating in the window below the threshold, by a one-sided
 * one-sample t-test against it (from the rating count, sum and sum of squares).
 */
export function detectLowRatings(snapshot: AnalysisSnapshot, t: AnalyzerThresholds, detections: Detections): void {
  for (const group of snapshot.groups) {
    const window = group.window;
    if (!window || window.rating_count < t.min_samples) continue;
    const test = oneSampleTTest(
      { n: window.rating_count, sum: window.rating_sum, sumSq: window.rating_sum_sq },
      t.min_rating,
      { alternative: 'less' },
    );
    const handle = detections.test(test.pValue);
    const mean = test.estimate;
    if (!(mean < t.min_rating)) continue;
    const baseline = group.baseline && group.baseline.rating_count > 0 ? group.baseline : undefined;
    detections.propose(
      {
        type: 'dissatisfaction',
        agent_id: group.agent_id,
        revision_id: group.revision_id || null,
        severity: severityFrom(
          t.min_rating - mean,
          [
            [1, 'critical'],
            [0.5, 'high'],
          ],
          'medium',
        ),
        confidence: 0,
        summary: `mean rating ${fmt(mean)} (95 % CI ${fmt(test.ci.lower)}–${fmt(test.ci.upper)}) below ${t.min_rating} over ${window.rating_count} ratings, ${pText(test.pValue)}`,
        evidence: {
          metric: 'rating',
          ...windowsEvidence(snapshot.windows),
          n: window.rating_count,
          value: mean,
          ...(baseline
            ? { baseline_n: baseline.rating_count, baseline_value: baseline.rating_sum / baseline.rating_count }
            : {}),
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
 * Complaint burst: more complaints in the burst window than the policy allows (seed 004's count)
 * AND more than the revision's own complaint rate predicts for the events of that window. The
 * test: of all complaints in the burst window and the reference period together, the burst's share
 * against its share of their events (binomialShareTest, so the reference's own noise counts: a
 * short reference with a chance lull predicts too few), in the analysis' multiple-testing family.
 * The reference is the revision's rest of the window (before the burst), else the baseline; a
 * revision with no such history (fewer than `min_samples` events) has no rate to exceed and no
 * burst. So a busy agent whose users complain at their usual rate is no burst, however many
 * complaints that makes in ten minutes.
 */
export function detectComplaintBursts(snapshot: AnalysisSnapshot, t: AnalyzerThresholds, detections: Detections): void {
  const { baseline, burst } = snapshot.windows;
  const groups = new Map(snapshot.groups.map((g) => [`${g.agent_id}\u0000${g.revision_id}`, g]));
  for (const { agent_id, revision_id, complaints, events } of snapshot.bursts) {
    if (!(complaints > t.complaint_burst_count)) continue;
    const group = groups.get(`${agent_id}\u0000${revision_id}`);
    const reference = referenceRate(group, { complaints, events }, t.min_samples);
    if (!reference) continue;
    const expected = events * (reference.complaints / reference.events);
    const { pValue } = binomialShareTest(
      complaints,
      complaints + reference.complaints,
      events / (events + reference.events),
    );
    const handle = detections.test(pValue);
    detections.propose(
      {
        type: 'complaint_burst',
        agent_id,
        revision_id: revision_id || null,
        severity: severityFrom(
          complaints / Math.max(t.complaint_burst_count, expected),
          [
            [4, 'critical'],
            [2, 'high'],
          ],
          'medium',
        ),
        confidence: 0,
        summary: `${complaints} complaints in the last ${t.complaint_burst_window_minutes} min over ${events} events (more than ${t.complaint_burst_count}; ${fmt(expected)} expected at the ${reference.from}'s rate, ${pText(pValue)})`,
        evidence: {
          metric: 'complaints',
          window: range(burst),
          baseline_window: range(baseline),
          n: events,
          value: complaints,
          baseline_value: expected,
          baseline_n: reference.events,
          reference: reference.from,
          test: 'binomial_share_mixture',
          p_value: pValue,
          threshold: t.complaint_burst_count,
        },
        dedup_key: dedupKey('complaint_burst', agent_id, revision_id),
      },
      handle,
    );
  }
}

/** Complaints and events before the burst: the window without the burst's minutes, else the baseline. */
function referenceRate(
  group: RevisionSums | undefined,
  burst: { complaints: number; events: number },
  minSamples: number,
): { complaints: number; events: number; from: string } | undefined {
  const before = group?.window
    ? { complaints: group.window.complaints - burst.complaints, events: group.window.count - burst.events }
    : undefined;
  if (before && before.events >= minSamples)
    return { complaints: Math.max(0, before.complaints), events: before.events, from: 'window before the burst' };
  const baseline = group?.baseline;
  if (baseline && baseline.count >= minSamples)
    return { complaints: baseline.complaints, events: baseline.count, from: 'baseline' };
  return undefined;
}
