import type { AgentConfig, Environment, MutationType } from '@metaloop/contracts';

/**
 * Everything the SPEC gates need besides the policy and the plan, gathered by the caller (the
 * oracle's validation service) just before it validates. The gates are pure functions of
 * (policy, plan, state): the same three always give the same results, so a decision record
 * holding them can be replayed. Times are ISO-8601 strings, so the state stores as JSON.
 */
export interface GateState {
  /** The validation's clock (cooldowns are measured against it). */
  now: string;
  /** The runtime freeze (`POST /api/v1/oracle/freeze`); the policy file can declare one too. */
  freeze: { frozen: boolean; reason: string | null };
  /**
   * The registry's view of every agent the plan touches, by agent id. An agent missing here
   * does not exist: policy_compliance fails its mutations and the other gates pass over them.
   */
  agents: Record<string, AgentGateState>;
  /** Rollouts running or paused right now, across all agents. */
  running_rollouts: number;
  /**
   * Mutations started within the rolling windows, as counted by the atomic budget (Redis or
   * Postgres). The gate only compares; the budget itself is taken elsewhere, atomically.
   */
  budget_usage: {
    last_hour_global: number;
    last_hour_by_environment: Partial<Record<Environment, number>>;
    last_day_by_type: Partial<Record<MutationType, number>>;
  };
  /** Per mutation of the plan, in the plan's order (`mutations[i]` belongs to `plan.mutations[i]`). */
  mutations: MutationGateState[];
}

export interface AgentGateState {
  environment: Environment;
  /**
   * The agent's stable revision: what a rollback returns to, and what a route shift and the
   * memory size after the change are measured from. null: the agent has none yet.
   */
  stable: { revision_id: string; config: AgentConfig } | null;
  /** The agent's running or paused rollout, if any. */
  active_rollout_id: string | null;
  /** When the agent's last rollout ended (promoted or rolled back); null if it never had one. */
  last_mutation_finished_at: string | null;
  /** Keys of the agent's registered candidates: what its mutations may switch to. */
  candidates: { prompt: string[]; model: string[]; lora: string[]; backend: string[] };
}

export interface MutationGateState {
  /** Events the mutation rests on: the sample sizes (evidence `n`) of the plan's findings about its agent. */
  evidence_events: number;
  /** The adapter's dry `prepare` (derive the candidate config, no side effects), when the caller ran it. */
  prepare?: PrepareOutcome;
}

/** What the adapter's dry prepare said, e.g. `{ok: false, code: 'unknown_candidate', reason: '…'}`. */
export type PrepareOutcome = { ok: true } | { ok: false; code: string; reason: string };
