import { z } from 'zod';
import { dynamicExamplesSchema, fewShotExampleSchema, memoryFactSchema, ref } from './agent-config.schema';
import { subjectToken } from './feedback-event.schema';
import { boundedJsonObject } from './json-value';
import { LIMITS } from './limits';
import { storableString } from './storable-text';

/*
 * Findings, plans and their mutations, and SPEC-gate results: what the analyzer, planner,
 * validator and orchestrator hand each other, and what `analyze`, `plan`, `validate` and
 * `execute` take and answer on the wire.
 */

const scalar = z.union([z.number().finite(), storableString().max(LIMITS.shortText), z.boolean()]);
const probability = z.number().min(0).max(1);
const isoTime = z.iso.datetime({ offset: true });

// ---- mutation parameters, one schema per mutation type ----

/** Switch to a registered prompt version, or patch the current template by a named rule. */
export const promptPatchParamsSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('candidate'), version: ref }),
  z.strictObject({
    source: z.literal('rule'),
    /** e.g. `conciseness` for complaints tagged verbose. */
    rule: ref,
    instruction: storableString().min(1).max(LIMITS.shortText),
    position: z.enum(['append', 'prepend']).default('append'),
  }),
]);

/** Switch to a registered model candidate. */
export const modelSwapParamsSchema = z.strictObject({ model: ref });

/** Attach or detach a registered LoRA adapter. */
export const loraApplyParamsSchema = z.strictObject({ action: z.enum(['attach', 'detach']), adapter_id: ref });

/**
 * Target route weights in percent over registered backends; the adapter normalises them to 100
 * and the policy caps the shift (half the sum of absolute weight changes, in points).
 */
export const routeChangeParamsSchema = z.strictObject({
  weights: z.record(ref, z.number().min(0).max(100)).refine((w) => Object.keys(w).length >= 1, 'at least one backend'),
});

/** Set or unset generation parameters; the policy's allow/forbid lists and bounds apply. */
export const paramSetParamsSchema = z
  .strictObject({
    set: z.record(storableString().min(1).max(LIMITS.idLength), scalar).default({}),
    unset: z.array(storableString().min(1).max(LIMITS.idLength)).max(64).default([]),
  })
  .refine((p) => Object.keys(p.set).length + p.unset.length >= 1, 'set or unset at least one parameter');

const reweight = z.strictObject({ id: ref, weight: z.number().min(0).max(1) });
const listChange = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    add: z.array(item).max(100).default([]),
    remove: z.array(ref).max(100).default([]),
    reweight: z.array(reweight).max(100).default([]),
  });

/**
 * Add, remove or reweight memory facts and static few-shot examples; turn dynamic examples
 * (DICL) on or retune them (`dynamic_examples`), or off (`null`).
 */
export const memoryUpdateParamsSchema = z
  .strictObject({
    facts: listChange(memoryFactSchema).optional(),
    examples: listChange(fewShotExampleSchema).optional(),
    dynamic_examples: dynamicExamplesSchema.nullable().optional(),
  })
  .refine(
    (p) => p.facts !== undefined || p.examples !== undefined || p.dynamic_examples !== undefined,
    'change facts, examples or dynamic_examples',
  );

export const mutationParamsSchemas = {
  PROMPT_PATCH: promptPatchParamsSchema,
  MODEL_SWAP: modelSwapParamsSchema,
  LORA_APPLY: loraApplyParamsSchema,
  ROUTE_CHANGE: routeChangeParamsSchema,
  PARAM_SET: paramSetParamsSchema,
  MEMORY_UPDATE: memoryUpdateParamsSchema,
} as const;

export type PromptPatchParams = z.output<typeof promptPatchParamsSchema>;
export type ModelSwapParams = z.output<typeof modelSwapParamsSchema>;
export type LoraApplyParams = z.output<typeof loraApplyParamsSchema>;
export type RouteChangeParams = z.output<typeof routeChangeParamsSchema>;
export type ParamSetParams = z.output<typeof paramSetParamsSchema>;
export type MemoryUpdateParams = z.output<typeof memoryUpdateParamsSchema>;
export type MutationParams = { [K in keyof typeof mutationParamsSchemas]: z.output<(typeof mutationParamsSchemas)[K]> };

// ---- findings ----

export const FINDING_TYPES = [
  'performance_degradation',
  'dissatisfaction',
  'complaint_burst',
  'usage_imbalance',
  'retrain_trigger',
  'cost_opportunity',
] as const;
export const findingTypeSchema = z.enum(FINDING_TYPES);
export type FindingType = z.infer<typeof findingTypeSchema>;

export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

/**
 * open: not yet planned; planned: a live plan holds it; deferred: the tick could not plan it now
 * (`deferred_reason` says why) and a later tick re-checks it; resolved: the condition stopped
 * holding or a promotion fixed it; superseded: its revision is no longer served; dismissed: by a person.
 */
export const FINDING_STATUSES = ['open', 'planned', 'deferred', 'resolved', 'superseded', 'dismissed'] as const;
export const findingStatusSchema = z.enum(FINDING_STATUSES);

/**
 * Why the tick left a finding for later: the mutation budget, the concurrency limit, the agent's
 * cooldown, a plan of the agent waiting for approval, the agent busy with another rollout or plan,
 * a freeze, another SPEC gate, or no mutation that fixes it (yet).
 */
export const DEFERRAL_REASONS = [
  'budget',
  'concurrency',
  'cooldown',
  'approval',
  'agent_busy',
  'freeze',
  'gates',
  'no_mutation',
] as const;
export const deferralReasonSchema = z.enum(DEFERRAL_REASONS);
export type DeferralReason = z.infer<typeof deferralReasonSchema>;
export type FindingStatus = z.infer<typeof findingStatusSchema>;

export const timeWindowSchema = z.strictObject({ from: isoTime, to: isoTime });

/** What a finding rests on: windows, counts, the test, its statistic, p-value, effect and interval. */
export const evidenceSchema = z
  .object({
    metric: storableString().max(LIMITS.idLength).optional(),
    window: timeWindowSchema.optional(),
    baseline_window: timeWindowSchema.optional(),
    n: z.number().int().min(0).optional(),
    baseline_n: z.number().int().min(0).optional(),
    value: z.number().optional(),
    baseline_value: z.number().optional(),
    test: storableString().max(LIMITS.idLength).optional(),
    statistic: z.number().optional(),
    p_value: probability.optional(),
    effect_size: z.number().optional(),
    ci: z.tuple([z.number(), z.number()]).optional(),
    confidence_level: probability.optional(),
  })
  .catchall(z.unknown());
export type Evidence = z.infer<typeof evidenceSchema>;

export const findingSchema = z.strictObject({
  finding_id: z.uuid(),
  type: findingTypeSchema,
  agent_id: subjectToken,
  revision_id: storableString().max(LIMITS.idLength).nullable(),
  severity: severitySchema,
  confidence: probability,
  summary: storableString().max(LIMITS.shortText),
  evidence: evidenceSchema,
  /** Same open problem → same key, so it is counted again instead of reported twice. */
  dedup_key: storableString().min(1).max(512),
  status: findingStatusSchema.default('open'),
  occurrences: z.number().int().min(1).default(1),
  first_seen_at: isoTime.optional(),
  last_seen_at: isoTime.optional(),
  /** Set while `deferred`: why the last tick left it, in a word and in words. */
  deferred_reason: deferralReasonSchema.nullable().optional(),
  deferred_detail: storableString().max(LIMITS.shortText).nullable().optional(),
});
export type Finding = z.output<typeof findingSchema>;
export type FindingInput = z.input<typeof findingSchema>;

// ---- mutations and plans ----

export const expectedImpactSchema = z.strictObject({
  /** The guarded or objective metric the change should move, e.g. `p95_latency_ms`, `rating`. */
  metric: storableString().min(1).max(LIMITS.idLength),
  direction: z.enum(['increase', 'decrease']),
  /** Expected relative change, e.g. 0.2 for 20 %. */
  relative_change: z.number().min(0).max(10),
  summary: storableString().max(LIMITS.shortText).optional(),
});
export type ExpectedImpact = z.output<typeof expectedImpactSchema>;

/** How a mutation is undone: routing back to the revision it started from, then the adapter's revert. */
export const rollbackSpecSchema = z.strictObject({
  restore_revision_id: storableString().max(LIMITS.idLength).nullable(),
  /** External side effects the adapter must undo (e.g. `lora_unload`, `router_restore`). */
  side_effects: z.array(ref).max(16).default([]),
  automatic: z.boolean().default(true),
});
export type RollbackSpec = z.output<typeof rollbackSpecSchema>;

const mutationCommon = {
  mutation_id: z.uuid().optional(),
  agent_id: subjectToken,
  confidence: probability,
  /** 1 (trivial) – 10 (dangerous): by type, environment and size of the change. */
  risk: z.number().int().min(1).max(10),
  expected_impact: expectedImpactSchema,
  rationale: storableString().min(1).max(LIMITS.longText),
  rollback_spec: rollbackSpecSchema.optional(),
};

const typedMutation = <T extends keyof typeof mutationParamsSchemas>(type: T) =>
  z.strictObject({ ...mutationCommon, type: z.literal(type), params: mutationParamsSchemas[type] });

export const mutationSchema = z.discriminatedUnion('type', [
  typedMutation('PROMPT_PATCH'),
  typedMutation('MODEL_SWAP'),
  typedMutation('LORA_APPLY'),
  typedMutation('ROUTE_CHANGE'),
  typedMutation('PARAM_SET'),
  typedMutation('MEMORY_UPDATE'),
]);

const storedMutationFields = {
  mutation_id: z.uuid(),
  ordinal: z.number().int(),
  status: z.enum(['pending', 'applied', 'promoted', 'rolled_back', 'retired', 'failed', 'skipped']),
};

const storedMutation = <T extends keyof typeof mutationParamsSchemas>(type: T) =>
  typedMutation(type).extend(storedMutationFields);

/** A mutation as stored with its plan: its id, place in the plan and state. */
export const mutationViewSchema = z.discriminatedUnion('type', [
  storedMutation('PROMPT_PATCH'),
  storedMutation('MODEL_SWAP'),
  storedMutation('LORA_APPLY'),
  storedMutation('ROUTE_CHANGE'),
  storedMutation('PARAM_SET'),
  storedMutation('MEMORY_UPDATE'),
]);
export type Mutation = z.output<typeof mutationSchema>;
export type MutationInput = z.input<typeof mutationSchema>;
export type MutationOf<T extends Mutation['type']> = Extract<Mutation, { type: T }>;

export const PLAN_STATUSES = [
  'draft',
  'validated',
  'blocked',
  'awaiting_approval',
  'approved',
  'rejected',
  'queued',
  'executing',
  'completed',
  'failed',
  'expired',
] as const;
export const planStatusSchema = z.enum(PLAN_STATUSES);
/** A plan in one of these still holds its findings: it may yet be rolled out. */
export const LIVE_PLAN_STATUSES = [
  'draft',
  'validated',
  'awaiting_approval',
  'approved',
  'queued',
  'executing',
] as const satisfies readonly (typeof PLAN_STATUSES)[number][];
export type PlanStatus = z.infer<typeof planStatusSchema>;

export const planSchema = z.strictObject({
  plan_id: z.uuid().optional(),
  status: planStatusSchema.optional(),
  /** Who proposed it: `tick`, `api`, `rules`, `llm`. */
  source: storableString().min(1).max(LIMITS.idLength).default('api'),
  finding_ids: z.array(z.uuid()).max(100).default([]),
  /**
   * Applied in order; at most one per agent is rolled out at a time. Empty when nothing fits: the
   * rationale then says why, and the SPEC gates refuse it (there is nothing to roll out).
   */
  mutations: z.array(mutationSchema).max(20),
  confidence: probability,
  risk: z.number().int().min(1).max(10),
  expected_impact: z.array(expectedImpactSchema).max(20).default([]),
  rationale: storableString().min(1).max(LIMITS.longText),
  evidence: boundedJsonObject.default({}),
  created_at: isoTime.optional(),
});
export type Plan = z.output<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;

// ---- SPEC gates ----

export const GATE_NAMES = [
  'policy_compliance',
  'confidence_and_evidence',
  'resource_safety',
  'concurrency_safety',
  'rollback_viability',
  'rate_budget',
  'risk_approval',
  'freeze',
] as const;
export const gateNameSchema = z.enum(GATE_NAMES);
export type GateName = z.infer<typeof gateNameSchema>;

export const gateStatusSchema = z.enum(['pass', 'fail', 'needs_approval']);
export type GateStatus = z.infer<typeof gateStatusSchema>;

export const gateResultSchema = z.strictObject({
  gate: gateNameSchema,
  status: gateStatusSchema,
  reason: z.string().max(LIMITS.shortText),
  /** Values the gate compared (e.g. `{confidence: 0.62, min: 0.7}`), for the decision record. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type GateResult = z.output<typeof gateResultSchema>;

/** The answer of `validate`: passed only when no gate failed; approval needed when any gate asks for it. */
export const validationResultSchema = z.strictObject({
  validation_id: z.uuid(),
  plan_id: z.uuid(),
  policy_version: z.string(),
  overall_passed: z.boolean(),
  requires_approval: z.boolean(),
  gates: z.array(gateResultSchema),
  validated_at: isoTime,
});
export type ValidationResult = z.output<typeof validationResultSchema>;
