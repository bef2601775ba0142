/*
 * The parts of metaloop's public wire contract (../shared/ARCHITECTURE.md, the apps' /docs/json)
 * the simulator reads. Written here, loosely, on purpose: fields it does not read may come and
 * go, and statuses it does not know yet (e.g. `retired` before it lands) pass through as strings.
 */

export interface PromptConfig {
  version: string;
  template: string;
}

/** Retrieval of stored examples (DICL) with each config fetch that carries a query. */
export interface DynamicExamplesConfig {
  k: number;
  min_similarity?: number;
  max_chars?: number;
}

export interface AgentConfig {
  model: string;
  prompt: PromptConfig;
  dynamic_examples?: DynamicExamplesConfig | null;
  [key: string]: unknown;
}

/** A stored example as retrieval returns it. */
export interface RetrievedExample {
  id: string;
  input: string;
  output: string;
  similarity: number;
  quality: number;
}

/** `GET feedback-api /api/v1/agents/{id}/config?session_id=&query=`. */
export interface ServedConfig {
  agent_id: string;
  revision_id: string;
  rollout_id: string | null;
  arm: 'stable' | 'canary';
  config: AgentConfig;
  /** With a query, when the served config has dynamic_examples: the most similar stored examples. */
  examples_retrieved?: RetrievedExample[];
}

export interface FeedbackEvent {
  event_id: string;
  agent_id: string;
  session_id: string;
  explicit?: { rating?: number; helpful?: boolean; complaint?: string };
  implicit?: { response_time_ms?: number; success?: boolean };
  tags?: string[];
  /** What the agent was asked and what it answered. */
  artifacts?: { input: string; output: string };
}

export interface AgentView {
  agent_id: string;
  environment: string;
  stable_revision_id: string | null;
  active_rollout: { rollout_id: string; status: string; weight: number } | null;
}

export interface RevisionView {
  revision_id: string;
  agent_id: string;
  config: AgentConfig;
}

/** `POST /api/v1/agents/{id}/deploy` (operator): a new stable revision at once. */
export interface DeployResult {
  agent_id: string;
  revision_id: string;
  previous_revision_id: string | null;
}

export interface TickStage {
  stage: string;
  outcome: string;
  duration_ms: number;
  summary: string;
}

export interface TickResult {
  tick_id: string | null;
  status: string;
  summary: string;
  stages: TickStage[];
  plan_id?: string | null;
  started_at: string;
  finished_at: string;
  [key: string]: unknown;
}

/** Rollout statuses that still hold the agent (the others are final). */
export const ACTIVE_ROLLOUT_STATUSES: ReadonlySet<string> = new Set(['pending', 'running', 'paused']);

export interface RolloutView {
  rollout_id: string;
  agent_id: string;
  plan_id: string | null;
  status: string;
  weight: number;
  step_index: number;
  steps: number[];
  stable_revision_id: string;
  candidate_revision_id: string;
  mutation_type: string;
  status_reason: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
}

export interface RolloutDecision {
  at: string;
  step_index: number;
  weight: number;
  action: string;
  reason: string;
  statistics?: unknown;
}

export interface RolloutDetail extends RolloutView {
  decisions: RolloutDecision[];
}

export interface FindingView {
  finding_id: string;
  type: string;
  agent_id: string;
  revision_id: string | null;
  severity: string;
  confidence: number;
  summary: string;
  status: string;
  first_seen_at?: string;
  last_seen_at?: string;
  deferred_reason?: string | null;
  deferred_detail?: string | null;
}

export interface PlanView {
  plan_id: string;
  status: string;
  finding_ids: string[];
  mutations: Array<{ agent_id: string; type: string; status?: string }>;
  created_at: string;
  updated_at: string;
  decision_reason?: string | null;
}

export interface OracleStatus {
  open_findings: Record<string, number>;
  plans: Record<string, number>;
  rollouts: { active: number };
  budget: { used: { last_hour: number }; remaining: { per_hour: number; concurrent_rollouts: number } };
  [key: string]: unknown;
}

/** The budget and rollout rules of the policy in force (`GET /api/v1/oracle/policies`). */
export interface PolicyFigures {
  budgets: {
    mutations_per_hour: { global: number; per_environment: Record<string, number> };
    mutations_per_day_by_type: Record<string, number>;
  };
  concurrency: { max_concurrent_rollouts: number };
  cooldown: { per_agent_minutes: number };
  canary: {
    steps: number[];
    analysis_interval_seconds: number;
    min_samples_per_arm: number;
    max_step_duration_minutes: number;
    on_inconclusive?: string;
  };
  [key: string]: unknown;
}

export interface AuditEntry {
  at: string;
  action: string;
  entity_id: string;
  agent_id: string | null;
  reason: string | null;
}
