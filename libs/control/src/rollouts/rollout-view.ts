import type { Rollout, RolloutDecision } from '@metaloop/db';
import type { RolloutDecisionView, RolloutView } from '@metaloop/contracts';

/** Basis points (as stored) to percent (as shown). */
export const percentOf = (weightBp: number) => weightBp / 100;

/** A rollout as the API shows it. */
export function rolloutView(row: Rollout): RolloutView {
  return {
    rollout_id: row.id,
    agent_id: row.agentId,
    plan_id: row.planId,
    mutation_id: row.mutationId,
    status: row.status,
    weight: percentOf(row.weightBp),
    step_index: row.stepIndex,
    steps: row.steps,
    stable_revision_id: row.stableRevisionId,
    candidate_revision_id: row.candidateRevisionId,
    mutation_type: row.mutationType,
    rollback_key: row.rollbackKey,
    revert_status: row.revertStatus,
    revert_attempts: row.revertAttempts,
    revert_error: row.revertError,
    status_reason: row.statusReason,
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

export function decisionView(row: RolloutDecision): RolloutDecisionView {
  return {
    decision_id: row.id,
    at: row.createdAt.toISOString(),
    step_index: row.stepIndex,
    weight: percentOf(row.weightBp),
    action: row.action,
    reason: row.reason,
    statistics: row.statistics,
    actor: row.actor,
  };
}
