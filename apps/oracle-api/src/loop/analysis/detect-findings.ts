import type { AnalysisSnapshot } from './analysis-snapshot';
import type { AnalyzerThresholds } from './analyzer-thresholds';
import { detectCostOpportunities } from './detectors/cost';
import { detectComplaintBursts, detectLowRatings } from './detectors/dissatisfaction';
import { detectPerformance } from './detectors/performance';
import { detectRetrainTriggers, mergeRetrainTriggers } from './detectors/retrain';
import { detectUsageImbalance } from './detectors/usage';
import { Detections } from './finding-draft';
import type { FindingDraft } from '../findings/finding-draft';

export interface DetectionResult {
  findings: FindingDraft[];
  /** Size of the multiple-testing family. */
  testsRun: number;
}

/** Every detector over one snapshot, then Benjamini–Hochberg over all their tests together. Pure. */
export function detectFindings(snapshot: AnalysisSnapshot, thresholds: AnalyzerThresholds): DetectionResult {
  const detections = new Detections();
  detectPerformance(snapshot, thresholds, detections);
  detectLowRatings(snapshot, thresholds, detections);
  detectComplaintBursts(snapshot, thresholds, detections);
  detectUsageImbalance(snapshot, thresholds, detections);
  detectRetrainTriggers(snapshot, thresholds, detections);
  detectCostOpportunities(snapshot, thresholds, detections);
  return { findings: mergeRetrainTriggers(detections.finish(thresholds.alpha)), testsRun: detections.testsRun };
}
