import type {
  AgentConfig,
  CandidateSpec,
  Environment,
  MutationInput,
  MutationType,
  PlanStatus,
} from '@metaloop/contracts';

/** What the planner knows of one agent when it plans. */
export interface AgentPlanningState {
  agentId: string;
  environment: Environment;
  stableRevisionId: string;
  stable: AgentConfig;
  /** Set while a rollout holds the agent: nothing new is planned for it then. */
  activeRolloutId: string | null;
  /** A live plan (not yet rolled out, or waiting for a person) with a mutation for this agent: nothing new is planned for it either. */
  livePlan?: { planId: string; status: PlanStatus } | null;
  candidates: CandidateSpec[];
  /** Candidate keys (prompt version, model, adapter id) rolled back, retired or rejected by a person recently: not proposed again. */
  recentlyRefused: ReadonlySet<string>;
  /** The agent's stored examples (DICL) and when the policy lets the planner turn retrieval of them on. */
  examples?: { active: number; meanQuality: number | null; policy: DiclPolicy };
  /** Candidates a trainer registered for a training request, by key (adapter id or model): preferred, and cited. */
  trained?: ReadonlyMap<string, { trainingRequestId: string; datasetId: string }>;
}

/** The policy's `learning.dicl`. */
export interface DiclPolicy {
  enabled: boolean;
  min_examples: number;
  k: number;
  min_similarity: number;
}

export interface PlanningContext {
  agents: ReadonlyMap<string, AgentPlanningState>;
  /** Which mutation types are enabled, per environment (from the policy). */
  enabledTypes?: (environment: Environment) => ReadonlySet<MutationType>;
  /** Mutations proposed elsewhere (the optional LLM proposer), by finding id, for findings no rule fixes. */
  proposals?: ReadonlyMap<string, MutationInput>;
}
