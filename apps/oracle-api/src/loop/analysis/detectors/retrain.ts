import { oneProportionZTest, twoProportionZTest } from '@metaloop/stats';
import { addRollup, emptyRollup, type RollupSums } from '../../rollups/rollup-aggregation';
import type { AnalysisSnapshot } from '../analysis-snapshot';
import type { AnalyzerThresholds } from '../analyzer-thresholds';
import { dedupKey, Detections, fmt, pct, pText, testEvidence, windowsEvidence } from '../finding-draft';
import type { FindingDraft } from '../../findings/finding-draft';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Seed 001's trigger order: the first that holds names the trigger. */
export const RETRAIN_REASONS = ['sample_count', 'scheduled', 'quality_drop', 'error_rate'] as const;
export type RetrainReason = (typeof RETRAIN_REASONS)[number];

/**
 * Retrain triggers per agent (all its revisions together), as seed 001's decision flow: none
 * within the cooldown; else enough new quality samples since the last trigger, the weekly
 * schedule, a significant quality drop against the baseline (one-sided two-proportion z on
 * the success score), or an error rate significantly above the bound (one-proportion z).
 * An agent seen for the first time starts its schedule and sample count now, so it never
 * triggers on its first analysis.
 */
export function detectRetrainTriggers(snapshot: AnalysisSnapshot, t: AnalyzerThresholds, detections: Detections): void {
  const perAgent = agentSums(snapshot);
  for (const [agentId, state] of snapshot.retrain) {
    const sums = perAgent.get(agentId);
    if (!sums) continue;
    const now = snapshot.now.getTime();
    if (state.last_triggered_at && now - state.last_triggered_at.getTime() < t.retrain.cooldown_hours * HOUR_MS)
      continue;
    const draft = (
      reason: RetrainReason,
      severity: FindingDraft['severity'],
      summary: string,
      evidence: FindingDraft['evidence'],
      confidence = 0,
    ): FindingDraft => ({
      type: 'retrain_trigger',
      agent_id: agentId,
      revision_id: null,
      severity,
      confidence,
      summary: `retrain (${reason.replace('_', ' ')}): ${summary}`,
      evidence: { reason, ...windowsEvidence(snapshot.windows), ...evidence },
      dedup_key: dedupKey('retrain_trigger', agentId),
    });
    if (state.new_samples >= t.retrain.min_new_samples) {
      detections.propose(
        draft(
          'sample_count',
          'low',
          `${state.new_samples} new quality samples since ${state.samples_since.toISOString()}`,
          {
            metric: 'quality_samples',
            n: state.new_samples,
            threshold: t.retrain.min_new_samples,
            samples_since: state.samples_since.toISOString(),
          },
          1,
        ),
      );
    }
    const lastRetrain = state.last_triggered_at ?? state.first_seen_at;
    const days = (now - lastRetrain.getTime()) / DAY_MS;
    if (days >= t.retrain.schedule_days) {
      detections.propose(
        draft(
          'scheduled',
          'low',
          `${fmt(days)} days since ${state.last_triggered_at ? 'the last retrain trigger' : 'first analysis'}`,
          {
            metric: 'days_since_retrain',
            value: days,
            threshold: t.retrain.schedule_days,
          },
          1,
        ),
      );
    }
    qualityDrop(sums, t, detections, draft);
    errorRate(sums.window, t, detections, draft);
  }
}

type Draft = (
  reason: RetrainReason,
  severity: FindingDraft['severity'],
  summary: string,
  evidence: FindingDraft['evidence'],
) => FindingDraft;

function qualityDrop(
  { window, baseline }: { window: RollupSums; baseline: RollupSums },
  t: AnalyzerThresholds,
  detections: Detections,
  draft: Draft,
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
  const drop = before > 0 ? 1 - now / before : 0;
  if (!(100 * drop > t.retrain.quality_drop_pct)) return;
  detections.propose(
    draft('quality_drop', 'high', `quality ${pct(before)} → ${pct(now)} (down ${pct(drop)}), ${pText(test.pValue)}`, {
      metric: 'quality',
      n: window.success_n,
      baseline_n: baseline.success_n,
      value: now,
      baseline_value: before,
      ...testEvidence(test),
      effect_size: drop,
      effect_size_kind: 'relative_drop',
      ci_of: 'difference',
      threshold_pct: t.retrain.quality_drop_pct,
    }),
    handle,
  );
}

function errorRate(window: RollupSums, t: AnalyzerThresholds, detections: Detections, draft: Draft): void {
  if (window.count < t.min_samples) return;
  const bound = t.retrain.error_rate_pct / 100;
  const test = oneProportionZTest({ successes: window.errors, n: window.count }, bound, { alternative: 'greater' });
  const handle = detections.test(test.pValue);
  const rate = window.errors / window.count;
  if (!(rate > bound)) return;
  detections.propose(
    draft(
      'error_rate',
      'high',
      `error rate ${pct(rate)} above ${pct(bound)} (${window.errors} of ${window.count}), ${pText(test.pValue)}`,
      {
        metric: 'error_rate',
        n: window.count,
        value: rate,
        ...testEvidence(test),
        threshold_pct: t.retrain.error_rate_pct,
      },
    ),
    handle,
  );
}

/** One retrain finding per agent: the first reason in seed order leads, the others are listed with their evidence. */
export function mergeRetrainTriggers(drafts: readonly FindingDraft[]): FindingDraft[] {
  const merged = new Map<string, FindingDraft[]>();
  const others: FindingDraft[] = [];
  for (const draft of drafts) {
    if (draft.type !== 'retrain_trigger') others.push(draft);
    else merged.set(draft.dedup_key, [...(merged.get(draft.dedup_key) ?? []), draft]);
  }
  const reasonOf = (d: FindingDraft) => RETRAIN_REASONS.indexOf(d.evidence['reason'] as RetrainReason);
  const triggers = [...merged.values()].map((group) => {
    const [lead, ...rest] = [...group].sort((a, b) => reasonOf(a) - reasonOf(b));
    return {
      ...lead!,
      summary:
        rest.length > 0 ? `${lead!.summary}; also ${rest.map((d) => d.evidence['reason']).join(', ')}` : lead!.summary,
      severity: group.some((d) => d.severity === 'high') ? ('high' as const) : lead!.severity,
      evidence: {
        ...lead!.evidence,
        reasons: group.map((d) => d.evidence['reason']),
        triggers: Object.fromEntries(group.map((d) => [d.evidence['reason'], d.evidence])),
      },
    };
  });
  return [...others, ...triggers];
}

function agentSums(snapshot: AnalysisSnapshot): Map<string, { window: RollupSums; baseline: RollupSums }> {
  const perAgent = new Map<string, { window: RollupSums; baseline: RollupSums }>();
  for (const group of snapshot.groups) {
    let sums = perAgent.get(group.agent_id);
    if (!sums) perAgent.set(group.agent_id, (sums = { window: emptyRollup(), baseline: emptyRollup() }));
    if (group.window) addRollup(sums.window, group.window);
    if (group.baseline) addRollup(sums.baseline, group.baseline);
  }
  return perAgent;
}
