import {
  DEFAULT_ADAPTER_CONSTRAINTS,
  environmentSchema,
  MUTATION_TYPES,
  mutationTypeSchema,
} from '@metaloop/contracts';
import { z } from 'zod';
import { insightsSchema } from './insights/insights.schema';
import { learningSchema } from './quality/learning.schema';
import { memoryPolicySchema } from './memory/memory-policy.schema';

/*
 * The policy file (snake_case YAML). Every field has a default, so `{}` is the default policy;
 * unknown keys are errors, so a misspelt limit never silently falls back to its default.
 * Nested objects use `prefault({})`: the empty object is parsed, filling the inner defaults.
 */

const probability = z.number().min(0).max(1);
const count = (fallback: number) => z.number().int().min(0).default(fallback);
const positiveInt = (fallback: number) => z.number().int().min(1).default(fallback);
const riskLevel = (fallback: number) => z.number().int().min(1).max(10).default(fallback);
const fraction = (fallback: number) => probability.default(fallback);

const ALL_TYPES = [...MUTATION_TYPES];

// ---- budgets, concurrency, cooldown ----

const perEnvironmentCount = (defaults: { dev: number; staging: number; prod: number }) =>
  z
    .strictObject({ dev: count(defaults.dev), staging: count(defaults.staging), prod: count(defaults.prod) })
    .prefault({});

export const budgetsSchema = z.strictObject({
  /** Mutations started in any rolling hour: across all agents, and per environment. */
  mutations_per_hour: z
    .strictObject({ global: count(10), per_environment: perEnvironmentCount({ dev: 10, staging: 10, prod: 5 }) })
    .prefault({}),
  /** Mutations of each type started in any rolling day. */
  mutations_per_day_by_type: z
    .strictObject({
      PROMPT_PATCH: count(6),
      MODEL_SWAP: count(2),
      LORA_APPLY: count(2),
      ROUTE_CHANGE: count(6),
      PARAM_SET: count(6),
      MEMORY_UPDATE: count(10),
    })
    .prefault({}),
});

export const concurrencySchema = z.strictObject({
  max_concurrent_rollouts: positiveInt(3),
  max_rollouts_per_agent: positiveInt(1),
});

export const cooldownSchema = z.strictObject({
  /** Minutes after an agent's last rollout finished before another mutation may start on it. */
  per_agent_minutes: z.number().min(0).default(30),
});

// ---- confidence, evidence, risk, approval ----

export const confidenceSchema = z.strictObject({
  min: fraction(0.7),
  /** Events the findings behind a mutation must rest on. */
  min_evidence_events: count(10),
});

export const approvalRuleSchema = z.strictObject({
  /** Mutation types the rule applies to; omitted: every type. */
  types: z.array(mutationTypeSchema).min(1).optional(),
  /** Environments the rule applies to; omitted: every environment. */
  environments: z.array(environmentSchema).min(1).optional(),
  reason: z.string().min(1).max(500),
});

export const approvalSchema = z.strictObject({
  /** Risk above `above` (and at most risk.max) needs a person's approval. */
  high_risk: z.strictObject({ required: z.boolean().default(true), above: riskLevel(6) }).prefault({}),
  rules: z
    .array(approvalRuleSchema)
    .default([{ types: ['MODEL_SWAP'], environments: ['prod'], reason: 'model swaps in prod need approval' }]),
});

// ---- per-action constraints ----

const enabledTypes = z.array(mutationTypeSchema).default(ALL_TYPES);

const bound = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

/** Param names, or patterns where `*` matches any run of characters (case-insensitive). */
const paramPattern = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.*-]+$/, 'letters, digits, _ . - and * only');

/** The limits of the mutation types that have any, without defaults (per-environment overrides are partial). */
const actionLimitFields = {
  ROUTE_CHANGE: {
    /** Half the sum of absolute weight changes after normalising both routes to 100. */
    max_shift_points: z.number().min(0).max(100),
  },
  PARAM_SET: {
    /** Only these params may be set or unset (an empty list: any param not forbidden)… */
    allow: z.array(paramPattern),
    /** …and never these, even when allowed (a model change is a MODEL_SWAP, with its own gates). */
    forbid: z.array(paramPattern),
    /** Numeric bounds; a bounded param must be set to a number inside them. */
    bounds: z.record(z.string().min(1).max(128), bound),
  },
  MEMORY_UPDATE: {
    /** Facts and few-shot examples an agent's config may carry after the change. */
    max_facts: z.number().int().min(0),
    max_examples: z.number().int().min(0),
  },
};

type Fields = Record<string, z.ZodType>;
type Defaults<F extends Fields> = { [K in keyof F]: z.output<F[K]> };

/** A strict object of `fields`, each defaulting to its value in `defaults`. */
function withDefaults<F extends Fields>(fields: F, defaults: Defaults<F>) {
  const shape = Object.fromEntries(
    Object.entries(fields).map(([key, schema]) => [key, schema.default(defaults[key] as never)]),
  );
  return z.strictObject(shape as { [K in keyof F]: z.ZodDefault<F[K]> });
}

const environmentLimits = z
  .strictObject({
    ROUTE_CHANGE: z.strictObject(actionLimitFields.ROUTE_CHANGE).partial().optional(),
    PARAM_SET: z.strictObject(actionLimitFields.PARAM_SET).partial().optional(),
    MEMORY_UPDATE: z.strictObject(actionLimitFields.MEMORY_UPDATE).partial().optional(),
  })
  .optional();

export const actionsSchema = z.strictObject({
  /** Mutation types the planner may use, per environment. */
  enabled: z.strictObject({ dev: enabledTypes, staging: enabledTypes, prod: enabledTypes }).prefault({}),
  // The adapters' defaults, so an adapter used without a policy and the default policy agree.
  ROUTE_CHANGE: withDefaults(actionLimitFields.ROUTE_CHANGE, {
    max_shift_points: DEFAULT_ADAPTER_CONSTRAINTS.route.maxShiftPoints,
  }).prefault({}),
  PARAM_SET: withDefaults(actionLimitFields.PARAM_SET, structuredClone(DEFAULT_ADAPTER_CONSTRAINTS.params)).prefault(
    {},
  ),
  MEMORY_UPDATE: withDefaults(actionLimitFields.MEMORY_UPDATE, {
    max_facts: DEFAULT_ADAPTER_CONSTRAINTS.memory.maxFacts,
    max_examples: DEFAULT_ADAPTER_CONSTRAINTS.memory.maxExamples,
  }).prefault({}),
  /**
   * Limits of one environment that differ from the ones above: values given replace them, except
   * `forbid` (added to the general list: what is forbidden anywhere stays forbidden) and `bounds`
   * (merged by param).
   */
  per_environment: z
    .strictObject({ dev: environmentLimits, staging: environmentLimits, prod: environmentLimits })
    .default({}),
});

export const rollbackSchema = z.strictObject({
  /** External side effects an adapter knows how to undo; a plan naming another is not rolled out. */
  revertible_side_effects: z
    .array(z.string().min(1).max(128))
    .default(['lora_load', 'lora_unload', 'router_weights', 'router_restore']),
});

// ---- analyzer thresholds (seed 004 `thresholds`, seed 001 retrain triggers) ----

export const thresholdsSchema = z.strictObject({
  significance: z.strictObject({ alpha: z.number().gt(0).lt(1).default(0.01) }).prefault({}),
  /** Events per window (recent and baseline) before any comparison is made. */
  min_samples: positiveInt(30),
  performance: z
    .strictObject({
      /** Relative rise of p95 latency, recent vs baseline, that is a degradation. */
      latency_regression: z.number().min(0).default(0.2),
      /** Drop of the success rate, in percentage points, that is a degradation. */
      success_rate_drop_points: z.number().min(0).max(100).default(10),
      /** p95 latency severity grades. */
      response_time: z
        .strictObject({
          warning_threshold_ms: z.number().min(0).default(1500),
          critical_threshold_ms: z.number().min(0).default(3000),
        })
        .refine((t) => t.warning_threshold_ms <= t.critical_threshold_ms, {
          message: 'warning_threshold_ms must not exceed critical_threshold_ms',
          path: ['warning_threshold_ms'],
        })
        .prefault({}),
    })
    .prefault({}),
  satisfaction: z
    .strictObject({
      /** A mean rating (1–5) below this is dissatisfaction. */
      min_mean_rating: z.number().min(1).max(5).default(3.0),
      /** Mean rating severity grades (lower is worse). */
      rating: z
        .strictObject({
          warning_threshold: z.number().min(1).max(5).default(3.5),
          critical_threshold: z.number().min(1).max(5).default(2.5),
        })
        .refine((t) => t.critical_threshold <= t.warning_threshold, {
          message: 'critical_threshold must not exceed warning_threshold',
          path: ['critical_threshold'],
        })
        .prefault({}),
      /** More than `count` complaints within `window_minutes` is a burst. */
      complaint_burst: z.strictObject({ count: positiveInt(5), window_minutes: positiveInt(10) }).prefault({}),
    })
    .prefault({}),
  /** An agent's share of all traffic above `max_share` or below `min_share` is an imbalance. */
  usage: z
    .strictObject({ max_share: fraction(0.4), min_share: fraction(0.05) })
    .refine((u) => u.min_share < u.max_share, { message: 'min_share must be below max_share', path: ['min_share'] })
    .prefault({}),
  /** Seed 001: any of these (outside the cooldown) triggers a retrain. */
  retrain: z
    .strictObject({
      new_samples: positiveInt(1000),
      /** Relative drop of mean quality. */
      quality_drop: fraction(0.1),
      error_rate: fraction(0.2),
      schedule_days: positiveInt(7),
      cooldown_hours: z.number().min(0).default(24),
    })
    .prefault({}),
  /** A registered model cheaper by at least this share (and not worse) is a cost opportunity. */
  cost: z.strictObject({ min_savings: fraction(0.1) }).prefault({}),
});

/** Seed 004's performance targets: what expected impact is measured against. */
export const targetsSchema = z.strictObject({
  response_time_improvement: fraction(0.2),
  success_rate: fraction(0.95),
  satisfaction: z.number().min(1).max(5).default(4.5),
  cost_savings: fraction(0.2),
});

// ---- rollout: hard triggers, canary, promotion, freeze ----

export const autoRollbackSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Canary error rate above this rolls back at once… */
  max_error_rate: fraction(0.15),
  /** …as does a canary p95 response time above this… */
  max_response_time_ms: z.number().min(0).default(10_000),
  /**
   * …or more than `count` complaints within `window_minutes` that the canary adds: its complaints
   * beyond what the stable arm's rate predicts for the canary's traffic in the same minutes.
   */
  max_complaints: z.strictObject({ count: count(5), window_minutes: positiveInt(10) }).prefault({}),
  /** Canary events before the error-rate trigger may fire (two errors in three calls is noise). */
  min_samples: positiveInt(20),
  /**
   * The one-sided tests behind the hard triggers: the complaint excess must be significant at this
   * level, and an error-rate or latency breach is excused when the canary is significantly better
   * than stable on that measure at this level (then both arms are in trouble, not the change).
   */
  alpha: z.number().gt(0).lt(1).default(0.01),
});

export const GUARDED_METRICS = [
  'success_rate',
  'error_rate',
  'p95_latency_ms',
  'mean_rating',
  'complaint_rate',
] as const;
export const guardedMetricSchema = z.enum(GUARDED_METRICS);
export type GuardedMetric = z.infer<typeof guardedMetricSchema>;

const canarySteps = z
  .array(z.number().gt(0).max(100))
  .min(1)
  .refine((steps) => steps.every((s, i) => i === 0 || s > steps[i - 1]!), 'steps must increase')
  .refine((steps) => steps[steps.length - 1] === 100, 'the last step must be 100');

export const promotionSchema = z.strictObject({
  /** Seed 001 champion/challenger score: quality·0.5 + positive rate·0.3 − normalised p95·0.2… */
  quality_weight: z.number().min(0).default(0.5),
  positive_weight: z.number().min(0).default(0.3),
  latency_weight: z.number().min(0).default(0.2),
  /** p95 is normalised as min(p95 / latency_reference_ms, 1). */
  latency_reference_ms: z.number().gt(0).default(10_000),
  /** …and the challenger is promoted when its score is at least this much (relative) better. */
  min_lift: z.number().min(0).default(0.05),
});

export const canarySchema = z.strictObject({
  /** Traffic percent of the candidate at each step. */
  steps: canarySteps.default([5, 25, 50, 100]),
  analysis_interval_seconds: positiveInt(30),
  min_samples_per_arm: positiveInt(100),
  /** A step still inconclusive after this long gets `on_inconclusive`. */
  max_step_duration_minutes: positiveInt(60),
  max_rollout_duration_hours: positiveInt(24),
  /** What a step or rollout that ran out of time gets: retire (the champion stays), pause for a person, or roll back. */
  on_inconclusive: z.enum(['retire', 'pause', 'rollback']).default('retire'),
  /** A paused rollout nobody decided on within this long is retired, so it does not hold a concurrency slot for good. */
  paused_max_minutes: positiveInt(240),
  /**
   * Futility (seed 001: a challenger that is not better is retired): the always-valid test that the
   * canary's champion/challenger score falls short of the promotion lift rejects at this level.
   */
  futility_alpha: z.number().gt(0).lt(1).default(0.05),
  /**
   * Alpha of the always-valid sequential tests (canary vs stable, looked at every interval), for
   * all guarded metrics together (split evenly between them): the chance that an identical
   * candidate is ever rolled back by the comparison, however long it runs.
   */
  sequential_alpha: z.number().gt(0).lt(1).default(0.02),
  /** Metrics on which the canary must not be significantly worse than stable. */
  guarded_metrics: z
    .array(guardedMetricSchema)
    .min(1)
    .default([...GUARDED_METRICS]),
  promotion: promotionSchema.prefault({}),
});

export const freezeSchema = z.strictObject({
  /** A freeze declared in the file (e.g. a release freeze); `POST freeze` is the runtime one. */
  frozen: z.boolean().default(false),
  reason: z.string().max(500).optional(),
  /** What happens to running canaries when a freeze starts. */
  in_flight: z.enum(['hold', 'rollback']).default('hold'),
});

export const plansSchema = z.strictObject({
  /**
   * A plan not handed to the orchestrator within this long after it was made (draft, validated,
   * awaiting approval or approved) expires, and its findings are planned again by a later tick.
   */
  expire_after_minutes: positiveInt(1440),
  /** Days a candidate that was rolled back, retired or rejected is not proposed again for its agent. */
  refused_candidate_days: z.number().min(0).default(7),
});

export const policySchema = z.strictObject({
  budgets: budgetsSchema.prefault({}),
  concurrency: concurrencySchema.prefault({}),
  cooldown: cooldownSchema.prefault({}),
  confidence: confidenceSchema.prefault({}),
  risk: z.strictObject({ max: riskLevel(8) }).prefault({}),
  approval: approvalSchema.prefault({}),
  plans: plansSchema.prefault({}),
  actions: actionsSchema.prefault({}),
  rollback: rollbackSchema.prefault({}),
  thresholds: thresholdsSchema.prefault({}),
  targets: targetsSchema.prefault({}),
  auto_rollback: autoRollbackSchema.prefault({}),
  canary: canarySchema.prefault({}),
  freeze: freezeSchema.prefault({}),
  /** The learning flywheel: quality score, examples (DICL), datasets. */
  learning: learningSchema.prefault({}),
  /** Per-subject memory and persona (seed 002): what is learned at ingest and how much is kept. */
  memory: memoryPolicySchema.prefault({}),
  /** Patterns and reports (seed 003): what a success is, when a report alerts. */
  insights: insightsSchema.prefault({}),
});

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type ApprovalRule = z.output<typeof approvalRuleSchema>;
export type CanaryPolicy = z.output<typeof canarySchema>;
export type AutoRollbackPolicy = z.output<typeof autoRollbackSchema>;
export type PromotionPolicy = z.output<typeof promotionSchema>;
export type AnalyzerThresholds = z.output<typeof thresholdsSchema>;
