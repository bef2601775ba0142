import { z } from 'zod';
import { storableString } from './storable-text';
import { subjectToken } from './feedback-event.schema';
import { LIMITS } from './limits';
import { mutationTypeSchema } from './agent-config.schema';
import {
  deferralReasonSchema,
  findingSchema,
  gateResultSchema,
  mutationViewSchema,
  planSchema,
  planStatusSchema,
  validationResultSchema,
} from './plan.schema';

/*
 * Request and answer bodies of `plan`, `validate`, `execute`, `plans/{id}/approve|reject`,
 * `GET plans` and `tick`. Seed 004's own bodies work as they are: `plan {findings}` where
 * `findings` is the `analysis` object `analyze` answered, `validate {plan}` and
 * `execute {plan, dry_run}` with the plan `plan` answered.
 */

const isoTime = z.iso.datetime({ offset: true });
const reason = storableString().min(1).max(LIMITS.shortText);

/** `findings` may be the list itself or the seed's whole `analysis` object that holds it. */
const findingsInput = z.union([
  z.array(findingSchema).max(1_000),
  z.object({ findings: z.array(findingSchema).max(1_000) }).transform((a) => a.findings),
]);

export const planRequestSchema = z
  .strictObject({
    findings: findingsInput.optional(),
    /** Stored open findings to plan for, instead of sending them. */
    finding_ids: z.array(z.uuid()).min(1).max(1_000).optional(),
  })
  .refine(
    (body) => (body.findings === undefined) !== (body.finding_ids === undefined),
    'give either findings or finding_ids',
  );
export type PlanRequest = z.infer<typeof planRequestSchema>;

export const skippedFindingSchema = z.strictObject({
  finding_id: z.string(),
  agent_id: z.string(),
  type: z.string(),
  reason: z.string(),
  /** The kind of reason, as the tick records it when it defers the finding. */
  deferral: deferralReasonSchema.optional(),
});
export type SkippedFinding = z.infer<typeof skippedFindingSchema>;

/** A stored plan with its state and its newest validation. */
export const planViewSchema = planSchema.extend({
  plan_id: z.uuid(),
  status: planStatusSchema,
  created_at: isoTime,
  updated_at: isoTime,
  created_by: z.string(),
  decided_by: z.string().nullable(),
  decision_reason: z.string().nullable(),
  mutations: z.array(mutationViewSchema),
  validation: validationResultSchema.nullable(),
});
export type PlanView = z.infer<typeof planViewSchema>;

/**
 * The answer of `plan`: always a stored plan. When no finding led to a mutation it holds none, its
 * rationale and `skipped` say why, and `validate` answers `overall_passed: false` for it.
 */
export const planResponseSchema = z.strictObject({
  plan: planViewSchema,
  skipped: z.array(skippedFindingSchema),
});
export type PlanResponse = z.infer<typeof planResponseSchema>;

/** A stored plan, named by its id (the rest of the client's copy is not used). */
const storedPlanReference = z.object({ plan_id: z.uuid() }).passthrough();

/**
 * `validate {plan}` — the plan `plan` answered (seed 004 sends it back as it is: the stored plan
 * with that id is validated), or a new plan without an id, which is stored first — or `{plan_id}`.
 */
export const validateRequestSchema = z
  .strictObject({ plan: z.union([storedPlanReference, planSchema]).optional(), plan_id: z.uuid().optional() })
  .refine((body) => (body.plan === undefined) !== (body.plan_id === undefined), 'give either plan or plan_id');
export type ValidateRequest = z.infer<typeof validateRequestSchema>;

/**
 * `execute {plan_id | plan, dry_run}`: only the stored plan runs — when a plan object is sent,
 * the stored plan with its `plan_id` runs, never the client's copy.
 */
export const executeRequestSchema = z
  .strictObject({
    plan_id: z.uuid().optional(),
    plan: storedPlanReference.optional(),
    dry_run: z.boolean().default(false),
  })
  .refine(
    (body) => body.plan_id !== undefined || body.plan !== undefined,
    'give plan_id, or the plan with its plan_id',
  );
export type ExecuteRequest = z.infer<typeof executeRequestSchema>;

export const executeResponseSchema = z.strictObject({
  plan_id: z.uuid(),
  status: planStatusSchema,
  dry_run: z.boolean(),
  /** Re-checked at execute time: policy and state may have changed since `validate`. */
  validation: validationResultSchema,
  /** The BullMQ job that runs it (null on a dry run). */
  job_id: z.string().nullable(),
});
export type ExecuteResponse = z.infer<typeof executeResponseSchema>;

export const planDecisionSchema = z.strictObject({ reason: reason.optional() });
export type PlanDecision = z.infer<typeof planDecisionSchema>;

export const planListQuerySchema = z.strictObject({
  status: planStatusSchema.optional(),
  agent_id: subjectToken.optional(),
  /** `next_cursor` of the previous page. */
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PlanListQuery = z.infer<typeof planListQuerySchema>;

export const planListSchema = z.strictObject({ items: z.array(planViewSchema), next_cursor: z.string().nullable() });
export type PlanList = z.infer<typeof planListSchema>;

// ---- tick ----

export const TICK_STAGES = ['analyze', 'plan', 'validate', 'execute'] as const;

export const tickStageSchema = z.strictObject({
  stage: z.enum(TICK_STAGES),
  outcome: z.enum(['done', 'nothing_to_do', 'blocked', 'failed', 'skipped']),
  duration_ms: z.number().min(0),
  summary: z.string(),
});
export type TickStage = z.infer<typeof tickStageSchema>;

/** One agent's plan made by a tick, and where it stands: queued for the orchestrator, waiting for a person, or blocked. */
export const tickPlanSchema = z.strictObject({
  plan_id: z.uuid(),
  agent_id: z.string(),
  mutation_type: mutationTypeSchema,
  status: planStatusSchema,
  /** What its validation said when it did not pass outright. */
  reason: z.string().nullable(),
});
export type TickPlan = z.infer<typeof tickPlanSchema>;

/** A finding the tick left for a later one, and why. */
export const tickDeferralSchema = z.strictObject({
  finding_id: z.string(),
  agent_id: z.string(),
  reason: deferralReasonSchema,
  detail: z.string(),
});
export type TickDeferral = z.infer<typeof tickDeferralSchema>;

export const tickResultSchema = z.strictObject({
  tick_id: z.uuid().nullable(),
  /** `skipped` when another replica's tick was running: exactly one runs at a time. */
  status: z.enum(['succeeded', 'failed', 'skipped']),
  trigger: z.string(),
  summary: z.string(),
  stages: z.array(tickStageSchema),
  /** The first plan this tick queued (else the first it made); every plan is in `plans`. */
  plan_id: z.uuid().nullable(),
  started_at: isoTime,
  finished_at: isoTime,
  /** The gates of `plan_id`'s validation. */
  gates: z.array(gateResultSchema).optional(),
  /** One plan per agent the tick could act on, most urgent first (severity × expected impact × traffic). */
  plans: z.array(tickPlanSchema).default([]),
  /** Findings left for a later tick, with the reason (budget, concurrency, cooldown, approval, …). */
  deferred: z.array(tickDeferralSchema).default([]),
  /** Findings the analysis closed because their condition stopped holding or their revision is no longer served. */
  resolved: z.number().int().min(0).default(0),
});
export type TickResult = z.infer<typeof tickResultSchema>;

/** `POST tick` takes no body (`curl -X POST .../tick`); optionally a window. */
export const tickRequestSchema = z
  .strictObject({
    time_window_hours: z
      .number()
      .min(0.05)
      .max(24 * 30)
      .optional(),
    dry_run: z.boolean().optional(),
  })
  .optional();
export type TickRequest = z.infer<typeof tickRequestSchema>;

// ---- status ----

export const oracleStatusSchema = z.strictObject({
  frozen: z.boolean(),
  freeze_reason: z.string().nullable(),
  policy: z.strictObject({ version: z.string(), loaded_at: isoTime, last_rejected: z.string().nullable() }),
  /** The last tick, with the plans it made (what it started, what waits for approval) and the findings it deferred, with why. */
  last_tick: tickResultSchema
    .pick({ tick_id: true, status: true, trigger: true, summary: true, started_at: true, plans: true, deferred: true })
    .extend({ finished_at: isoTime.nullable() })
    .nullable(),
  open_findings: z.record(z.string(), z.number().int()),
  /** Findings waiting for a later tick, by reason (budget, concurrency, cooldown, approval, …). */
  deferred_findings: z.record(z.string(), z.number().int()),
  plans: z.record(z.string(), z.number().int()),
  rollouts: z.strictObject({
    active: z.number().int(),
    reverts_pending: z.number().int(),
    reverts_failed: z.number().int(),
  }),
  budget: z.strictObject({
    used: z.strictObject({
      last_hour: z.number().int(),
      last_hour_by_environment: z.record(z.string(), z.number().int()),
      last_day_by_type: z.record(z.string(), z.number().int()),
    }),
    remaining: z.strictObject({
      per_hour: z.number().int(),
      per_hour_by_environment: z.record(z.string(), z.number().int()),
      per_day_by_type: z.record(z.string(), z.number().int()),
      concurrent_rollouts: z.number().int(),
    }),
  }),
});
export type OracleStatus = z.infer<typeof oracleStatusSchema>;
