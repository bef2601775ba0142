import { z } from 'zod';
import { storableString } from './storable-text';
import { mutationTypeSchema } from './agent-config.schema';
import { subjectToken } from './feedback-event.schema';
import { LIMITS } from './limits';
import { bigintCursor, queryText } from './params.schema';

/*
 * The operator's side of the control plane: audit trail, freeze, rollback, and rollouts as
 * `GET /api/v1/oracle/rollouts` shows them.
 */

const isoTime = z.iso.datetime({ offset: true });
const reason = storableString().min(1).max(LIMITS.shortText);
const limit = z.coerce.number().int().min(1).max(500).default(50);

/** retired: the candidate could not reach the promotion lift (or was left inconclusive), so the champion stays; not a rollback for harm. */
export const ROLLOUT_STATUSES = [
  'pending',
  'running',
  'paused',
  'promoted',
  'rolled_back',
  'retired',
  'failed',
] as const;
export const rolloutStatusSchema = z.enum(ROLLOUT_STATUSES);
export type RolloutStatus = z.infer<typeof rolloutStatusSchema>;
/** A rollout in one of these holds its agent: it serves a canary arm and blocks a second rollout. */
export const ACTIVE_ROLLOUT_STATUSES = ['pending', 'running', 'paused'] as const satisfies readonly RolloutStatus[];
/** Rollout statuses that shape the live config (a canary arm is served); pending, promoted, rolled back, failed do not. */
export const LIVE_ROLLOUT_STATUSES = ['running', 'paused'] as const satisfies readonly RolloutStatus[];

/** What one look of the monitor (or an operator) decided; every decision is a `rollout_decisions` row. */
export const ROLLOUT_ACTIONS = [
  'start',
  'advance',
  'hold',
  'inconclusive',
  'pause',
  'promote',
  'rollback',
  'retire',
] as const;
export const rolloutActionSchema = z.enum(ROLLOUT_ACTIONS);
export type RolloutAction = z.infer<typeof rolloutActionSchema>;

/**
 * Why a rollout was rolled back: a hard threshold of seed 004, the comparative test, the policy's
 * limits running out (`on_inconclusive: rollback`), a freeze with `in_flight: rollback`, an
 * operator (`manual`, `emergency`), or its adapter failing before the canary started.
 */
export const ROLLBACK_REASONS = ['hard_threshold', 'comparative', 'timeout', 'freeze', 'manual', 'emergency'] as const;
export type RollbackReason = (typeof ROLLBACK_REASONS)[number];
/** Who decided: the orchestrator's monitor, or a person through the API. */
export const ROLLBACK_TRIGGERS = ['auto', 'operator'] as const;
export type RollbackTrigger = (typeof ROLLBACK_TRIGGERS)[number];

export const auditEntrySchema = z.strictObject({
  id: z.string(),
  at: isoTime,
  /** `api_key:<id>`, `anonymous` (open mode) or `system:<component>`. */
  actor: z.string(),
  action: z.string(),
  entity_type: z.string(),
  entity_id: z.string(),
  agent_id: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.unknown().nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z.strictObject({
  agent_id: subjectToken.optional(),
  entity_type: queryText.optional(),
  entity_id: queryText.optional(),
  action: queryText.optional(),
  actor: queryText.optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  /** The `next_cursor` of the previous page: entries older than it. */
  cursor: bigintCursor.optional(),
  limit,
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.strictObject({ items: z.array(auditEntrySchema), next_cursor: z.string().nullable() });
export type AuditPage = z.infer<typeof auditPageSchema>;

/** `POST /api/v1/oracle/freeze`: no new rollouts, no further steps while frozen. */
export const freezeRequestSchema = z.strictObject({ frozen: z.boolean(), reason: reason.optional() });
export type FreezeRequest = z.infer<typeof freezeRequestSchema>;

export const freezeStateSchema = z.strictObject({
  frozen: z.boolean(),
  reason: z.string().nullable(),
  updated_by: z.string().nullable(),
  updated_at: isoTime.nullable(),
});
export type FreezeState = z.infer<typeof freezeStateSchema>;

/**
 * `POST /api/v1/oracle/rollback`: exactly one selector. Seed 004's
 * `{"rollback_key": "rollback_12345", "emergency": true}` works as it is.
 */
export const rollbackRequestSchema = z
  .strictObject({
    rollback_key: storableString().min(1).max(LIMITS.idLength).optional(),
    rollout_id: z.uuid().optional(),
    agent_id: subjectToken.optional(),
    all: z.literal(true).optional(),
    emergency: z.boolean().default(false),
    reason: reason.optional(),
  })
  .refine(
    (body) => [body.rollback_key, body.rollout_id, body.agent_id, body.all].filter((v) => v !== undefined).length === 1,
    'give exactly one of rollback_key, rollout_id, agent_id or all: true',
  );
export type RollbackRequest = z.infer<typeof rollbackRequestSchema>;

export const rolloutViewSchema = z.strictObject({
  rollout_id: z.uuid(),
  agent_id: z.string(),
  plan_id: z.uuid().nullable(),
  mutation_id: z.uuid().nullable(),
  status: rolloutStatusSchema,
  /** Canary share in percent (0–100, two decimals). */
  weight: z.number().min(0).max(100),
  step_index: z.number().int().min(0),
  steps: z.array(z.number()),
  stable_revision_id: z.string(),
  candidate_revision_id: z.string(),
  mutation_type: mutationTypeSchema,
  rollback_key: z.string(),
  revert_status: z.enum(['not_needed', 'pending', 'done', 'failed']),
  /** Attempts of adapter.revert so far, and the last one's error while it fails. */
  revert_attempts: z.number().int().min(0),
  revert_error: z.string().nullable(),
  status_reason: z.string().nullable(),
  started_at: isoTime.nullable(),
  finished_at: isoTime.nullable(),
  created_at: isoTime,
});
export type RolloutView = z.infer<typeof rolloutViewSchema>;

export const rollbackResultSchema = z.strictObject({
  rolled_back: z.array(rolloutViewSchema),
  /** Rollouts the selector matched that had already finished. */
  already_finished: z.array(z.uuid()),
});
export type RollbackResult = z.infer<typeof rollbackResultSchema>;

/** `POST /api/v1/oracle/freeze`: the switch as it is now, and the canaries a freeze rolled back (`freeze.in_flight: rollback`). */
export const freezeResponseSchema = freezeStateSchema.extend({
  in_flight: z.enum(['hold', 'rollback']),
  rolled_back: z.array(rolloutViewSchema),
});
export type FreezeResponse = z.infer<typeof freezeResponseSchema>;

export const rolloutListQuerySchema = z.strictObject({
  agent_id: subjectToken.optional(),
  status: rolloutStatusSchema.optional(),
  /** The `next_cursor` of the previous page: rollouts created before it. */
  cursor: z.uuid().optional(),
  limit,
});
export type RolloutListQuery = z.infer<typeof rolloutListQuerySchema>;

export const rolloutListSchema = z.strictObject({
  items: z.array(rolloutViewSchema),
  next_cursor: z.string().nullable(),
});
export type RolloutList = z.infer<typeof rolloutListSchema>;

export const rolloutDecisionSchema = z.strictObject({
  decision_id: z.uuid(),
  at: isoTime,
  step_index: z.number().int().min(0),
  /** Canary share in percent when the decision was taken. */
  weight: z.number().min(0).max(100),
  action: rolloutActionSchema,
  reason: z.string(),
  /** The evidence: counts per arm, hard thresholds, each guarded metric's sequential test, the promotion score. */
  statistics: z.unknown(),
  actor: z.string(),
});
export type RolloutDecisionView = z.infer<typeof rolloutDecisionSchema>;

/** `GET /api/v1/oracle/rollouts/{id}`: the rollout with every decision, oldest first. */
export const rolloutDetailSchema = rolloutViewSchema.extend({ decisions: z.array(rolloutDecisionSchema) });
export type RolloutDetail = z.infer<typeof rolloutDetailSchema>;
