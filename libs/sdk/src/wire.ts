/**
 * The wire contract as the SDK's users see it: plain types, so the published package depends on
 * nothing. They are the zod schemas of `@metaloop/contracts` written out; `contract.typetest.ts`
 * proves both ways, at compile time, that each one is the contract's type (same keys, each side
 * assignable to the other), so a contract change fails this project's typecheck until it is
 * mirrored here.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** User-given feedback. */
export interface ExplicitFeedback {
  /** 1–5. */
  rating?: number;
  helpful?: boolean;
  complaint?: string;
  correction?: string;
  comment?: string;
  /** Which of the options the agent offered the user chose (seed 002). */
  selection?: Record<string, JsonValue>;
}

/** What the agent measured itself. */
export interface ImplicitFeedback {
  response_time_ms?: number;
  success?: boolean;
  /** 0–1. */
  success_rate?: number;
  error_code?: string;
  tokens_in?: number;
  tokens_out?: number;
  cost_usd?: number;
}

/** One feedback event, as `POST /api/v1/feedback/collect(/bulk)` takes it. */
export interface FeedbackEvent {
  /** Assigned by the SDK (UUIDv7) when absent, so retries never count twice. */
  event_id?: string;
  agent_id: string;
  session_id: string;
  inference_id?: string;
  /** Filled by feedback-api from the session's sticky arm when absent. */
  revision_id?: string;
  /** The end user the agent served (seed 002's per-subject memory). */
  subject_id?: string;
  /** ISO-8601 with offset, or epoch milliseconds. */
  timestamp?: string | number;
  explicit?: ExplicitFeedback;
  implicit?: ImplicitFeedback;
  /** Values of metric definitions registered on oracle-api. */
  metrics?: Record<string, number | boolean>;
  tags?: string[];
  context?: Record<string, JsonValue>;
  artifacts?: { input?: string; output?: string };
}

/** `POST /api/v1/feedback/system/metric`. */
export interface SystemMetric {
  source: string;
  name: string;
  value: number;
  unit?: string;
  labels?: Record<string, string>;
  agent_id?: string;
  timestamp?: string | number;
}

/** Per event of a bulk request, in request order. */
export type BulkItemResult =
  | { index: number; status: 'accepted' | 'duplicate'; event_id: string }
  | { index: number; status: 'rejected'; errors: FieldError[] };

export interface FieldError {
  path: string;
  pointer: string;
  message: string;
}

/** 202 answer of `collect/bulk`. */
export interface BulkResponse {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: BulkItemResult[];
}

export interface PromptConfig {
  version: string;
  template: string;
}

/** Generation parameters: the usual ones typed, others as scalars. */
export type ParamsConfig = {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  timeout_ms?: number;
} & { [name: string]: number | string | boolean };

export interface MemoryFact {
  id: string;
  text: string;
  weight: number;
}

export interface FewShotExample {
  id: string;
  input: string;
  output: string;
  weight: number;
}

export interface DynamicExamplesConfig {
  k: number;
  min_similarity: number;
  max_chars: number;
}

/** What an agent runs with: one immutable revision of it. */
export interface AgentConfig {
  model: string;
  prompt: PromptConfig;
  params: ParamsConfig;
  route?: { weights: Record<string, number> };
  lora: string[];
  memory: MemoryFact[];
  examples: FewShotExample[];
  dynamic_examples?: DynamicExamplesConfig;
}

export type Arm = 'stable' | 'canary';

/** A stored example like the query, as a config fetch with `query` brings it. */
export interface RetrievedExample {
  id: string;
  input: string;
  output: string;
  similarity: number;
  quality: number;
}

export interface SubjectContextItem {
  text: string;
  weight: number;
  confidence: number;
}

/** The subject's memory served with the config for that subject (seed 002). */
export interface SubjectContext {
  subject_id: string;
  goals: SubjectContextItem[];
  preferences: SubjectContextItem[];
  history: { text: string; at: string }[];
  facets: Record<string, number>;
  context_breakdown: {
    goal: number;
    pref: number;
    history: number;
    facets: number;
    total: number;
    budget: number;
  };
}

/** `GET /api/v1/agents/{agent_id}/config`: the config this session runs with. */
export interface ServedConfig {
  agent_id: string;
  revision_id: string;
  rollout_id: string | null;
  /** The session's sticky arm: the same session gets the same arm for a rollout. */
  arm: Arm;
  config: AgentConfig;
  examples_retrieved?: RetrievedExample[];
  subject_context?: SubjectContext;
}
