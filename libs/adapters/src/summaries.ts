import type { DynamicExamples } from '@metaloop/contracts';

/** Change summaries: what a mutation changes, for the decision record and the dashboard (snake_case, stored as JSON). */

export interface Change<T> {
  before: T;
  after: T;
}

export type Scalar = number | string | boolean;

interface PromptPatchSummary {
  version: Change<string>;
  /** Unified line diff of the template. */
  diff: string;
  lines_added: number;
  lines_removed: number;
}

interface ModelSwapSummary {
  model: Change<string>;
  provider: string;
  /** `before` is null when the parent's model is not a registered candidate. */
  cost_per_1k_in: Change<number | null>;
  cost_per_1k_out: Change<number | null>;
}

interface LoraApplySummary {
  action: 'attach' | 'detach';
  adapter_id: string;
  base_model: string;
  lora: Change<string[]>;
}

interface RouteChangeSummary {
  weights: Change<Record<string, number>>;
  shift_points: number;
}

interface ParamSetSummary {
  /** Only the params whose value changes; null = not set. */
  changes: Record<string, Change<Scalar | null>>;
}

export interface MemoryListSummary {
  added: string[];
  removed: string[];
  reweighted: Array<{ id: string } & Change<number>>;
  count: Change<number>;
}

interface MemoryUpdateSummary {
  facts: MemoryListSummary;
  examples: MemoryListSummary;
  /** Dynamic examples (DICL) before and after; null when off. */
  dynamic_examples: { before: DynamicExamples | null; after: DynamicExamples | null };
}

export interface ChangeSummaries {
  PROMPT_PATCH: PromptPatchSummary;
  MODEL_SWAP: ModelSwapSummary;
  LORA_APPLY: LoraApplySummary;
  ROUTE_CHANGE: RouteChangeSummary;
  PARAM_SET: ParamSetSummary;
  MEMORY_UPDATE: MemoryUpdateSummary;
}
