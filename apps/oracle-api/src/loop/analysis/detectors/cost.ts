import { twoProportionZTest } from '@metaloop/stats';
import { addRollup, emptyRollup, type RollupSums } from '../../rollups/rollup-aggregation';
import type { AnalysisSnapshot, ModelCandidate } from '../analysis-snapshot';
import type { AnalyzerThresholds } from '../analyzer-thresholds';
import { dedupKey, Detections, fmt, pct, pText, testEvidence, windowsEvidence } from '../finding-draft';

/**
 * Cost opportunity: a registered model candidate that is cheaper per request than the model
 * of the stable revision, and whose measured quality (the success rate of the agent's
 * revisions that ran it, window and baseline together) is shown NOT worse than the stable
 * revision's by more than the margin: a one-sided non-inferiority z-test, so a cheaper model
 * with too little evidence is no finding. Cost per request uses the stable revision's mean
 * tokens in and out with each model's registered prices; the current model's cost is its
 * registered price too, or, when it is not registered, what the stable revision measured.
 */
export function detectCostOpportunities(
  snapshot: AnalysisSnapshot,
  t: AnalyzerThresholds,
  detections: Detections,
): void {
  const byRevision = new Map(snapshot.groups.map((g) => [`${g.agent_id}\u0000${g.revision_id}`, g]));
  for (const [agentId, candidates] of snapshot.modelCandidates) {
    const stableRevision = snapshot.agents.get(agentId)?.stable_revision_id;
    const currentModel = stableRevision ? snapshot.revisionModels.get(stableRevision) : undefined;
    const stableGroup = stableRevision ? byRevision.get(`${agentId}\u0000${stableRevision}`) : undefined;
    if (!stableRevision || !currentModel || !stableGroup) continue;
    const stable = bothPeriods([stableGroup]);
    if (stable.count === 0 || stable.success_n < t.min_samples) continue;
    const registeredCurrent = candidates.find((c) => c.model === currentModel);
    const currentCost = registeredCurrent ? costPerRequest(registeredCurrent, stable) : stable.cost_usd / stable.count;
    if (!(currentCost > 0)) continue;
    for (const candidate of candidates) {
      if (candidate.model === currentModel) continue;
      const candidateCost = costPerRequest(candidate, stable);
      const savings = 1 - candidateCost / currentCost;
      if (!(100 * savings >= t.cost.min_savings_pct)) continue;
      const revisions = snapshot.groups.filter(
        (g) => g.agent_id === agentId && snapshot.revisionModels.get(g.revision_id) === candidate.model,
      );
      const measured = bothPeriods(revisions);
      if (measured.success_n < t.min_samples) continue;
      const margin = t.cost.quality_margin_points / 100;
      const test = twoProportionZTest(
        { successes: measured.success_sum, n: measured.success_n },
        { successes: stable.success_sum, n: stable.success_n },
        { alternative: 'greater', nullDifference: -margin },
      );
      const quality = measured.success_sum / measured.success_n;
      const stableQuality = stable.success_sum / stable.success_n;
      detections.propose(
        {
          type: 'cost_opportunity',
          agent_id: agentId,
          revision_id: stableRevision,
          severity: 'low',
          confidence: 0,
          summary: `${candidate.model} would cost ${pct(savings)} less per request than ${currentModel} (${fmt(candidateCost)} vs ${fmt(currentCost)} USD) at a success rate of ${pct(quality)} vs ${pct(stableQuality)}, not worse by ${t.cost.quality_margin_points} points (${pText(test.pValue)})`,
          evidence: {
            metric: 'cost_usd',
            ...windowsEvidence(snapshot.windows),
            n: measured.success_n,
            baseline_n: stable.success_n,
            value: candidateCost,
            baseline_value: currentCost,
            cost_saving_ratio: savings,
            // The test is the quality's: the candidate's success rate not worse by the margin.
            ...testEvidence(test),
            test: 'non_inferiority_z',
            ci_of: 'success_rate_difference',
            quality,
            baseline_quality: stableQuality,
            margin_points: t.cost.quality_margin_points,
            current_model: currentModel,
            candidate_model: candidate.model,
            current_cost_source: registeredCurrent ? 'registered' : 'measured',
            measured_on_revisions: revisions.map((g) => g.revision_id),
          },
          dedup_key: dedupKey('cost_opportunity', agentId, candidate.model),
        },
        detections.test(test.pValue),
      );
    }
  }
}

function costPerRequest(model: ModelCandidate, sums: RollupSums): number {
  return (
    ((sums.tokens_in / sums.count) * model.cost_per_1k_in + (sums.tokens_out / sums.count) * model.cost_per_1k_out) /
    1000
  );
}

function bothPeriods(groups: ReadonlyArray<{ window?: RollupSums; baseline?: RollupSums }>): RollupSums {
  const sums = emptyRollup();
  for (const group of groups) {
    if (group.window) addRollup(sums, group.window);
    if (group.baseline) addRollup(sums, group.baseline);
  }
  return sums;
}
