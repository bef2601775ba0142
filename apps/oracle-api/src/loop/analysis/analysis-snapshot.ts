import type { Environment } from '@metaloop/contracts';
import type { RollupSums } from '../rollups/rollup-aggregation';
import type { AnalysisWindows } from './analysis-windows';

/** Everything the detectors look at, read from the database in one consistent snapshot. */
export interface AnalysisSnapshot {
  now: Date;
  windows: AnalysisWindows;
  /** Rollup sums per agent and revision ('' = events without a revision) in each period. */
  groups: RevisionSums[];
  /** Complaints and events per agent and revision in the burst window (only where there were complaints). */
  bursts: Array<{ agent_id: string; revision_id: string; complaints: number; events: number }>;
  /** Registered agents among those analyzed; unregistered ones have traffic but no environment. */
  agents: Map<string, { environment: Environment; stable_revision_id: string | null }>;
  /** The model each revision of the analyzed agents runs. */
  revisionModels: Map<string, string>;
  /** Registered model candidates per agent. */
  modelCandidates: Map<string, ModelCandidate[]>;
  /** Retrain bookkeeping of the agents the analyzer has seen before. */
  retrain: Map<string, RetrainView>;
}

export interface RevisionSums {
  agent_id: string;
  revision_id: string;
  window?: RollupSums;
  baseline?: RollupSums;
}

export interface ModelCandidate {
  model: string;
  cost_per_1k_in: number;
  cost_per_1k_out: number;
}

export interface RetrainView {
  first_seen_at: Date;
  samples_since: Date;
  last_triggered_at: Date | null;
  /** Quality samples since samples_since. */
  new_samples: number;
}
