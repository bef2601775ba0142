import type { Prisma } from '@metaloop/db';
import {
  planSchema,
  type GateResult,
  type MutationInput,
  type Plan,
  type PlanView,
  type ValidationResult,
} from '@metaloop/contracts';

/** What a plan row is read with to make its wire view. */
export const PLAN_INCLUDE = {
  mutations: { orderBy: { ordinal: 'asc' } },
  validations: { orderBy: { createdAt: 'desc' }, take: 1, include: { gates: true } },
} as const satisfies Prisma.PlanInclude;

export type PlanRow = Prisma.PlanGetPayload<{ include: typeof PLAN_INCLUDE }>;
type ValidationRow = PlanRow['validations'][number];

export function validationView(row: ValidationRow, gateOrder: readonly string[] = []): ValidationResult {
  const rank = (gate: string) => (gateOrder.includes(gate) ? gateOrder.indexOf(gate) : gateOrder.length);
  return {
    validation_id: row.id,
    plan_id: row.planId,
    policy_version: row.policyVersion,
    overall_passed: row.overallPassed,
    requires_approval: row.requiresApproval,
    gates: [...row.gates]
      .sort((a, b) => rank(a.gate) - rank(b.gate) || a.gate.localeCompare(b.gate))
      .map((g): GateResult => ({
        gate: g.gate as GateResult['gate'],
        status: g.status,
        reason: g.reason,
        ...(g.details ? { details: g.details as Record<string, unknown> } : {}),
      })),
    validated_at: row.createdAt.toISOString(),
  };
}

export function planView(row: PlanRow, gateOrder?: readonly string[]): PlanView {
  return {
    plan_id: row.id,
    status: row.status,
    source: row.source,
    finding_ids: row.findingIds,
    mutations: row.mutations.map((m) => ({
      mutation_id: m.id,
      ordinal: m.ordinal,
      status: m.status,
      agent_id: m.agentId,
      type: m.type,
      params: m.params,
      confidence: m.confidence,
      risk: m.risk,
      expected_impact: m.expectedImpact,
      rationale: m.rationale,
      rollback_spec: m.rollbackSpec,
    })) as unknown as PlanView['mutations'],
    confidence: row.confidence,
    risk: row.risk,
    expected_impact: row.expectedImpact as PlanView['expected_impact'],
    rationale: row.rationale,
    evidence: row.evidence as PlanView['evidence'],
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    created_by: row.createdBy,
    decided_by: row.decidedBy,
    decision_reason: row.decisionReason,
    validation: row.validations[0] ? validationView(row.validations[0], gateOrder) : null,
  };
}

/** The mutation columns of a mutation from the wire. */
export function mutationData(mutation: MutationInput, ordinal: number) {
  return {
    ordinal,
    agentId: mutation.agent_id,
    type: mutation.type,
    params: mutation.params as Prisma.InputJsonValue,
    confidence: mutation.confidence,
    risk: mutation.risk,
    expectedImpact: mutation.expected_impact as Prisma.InputJsonValue,
    rationale: mutation.rationale,
    rollbackSpec: (mutation.rollback_spec ?? {
      restore_revision_id: null,
      side_effects: [],
      automatic: true,
    }) as Prisma.InputJsonValue,
  };
}

/** The plan itself, without what storing it added (ids, statuses, decisions): what the gates judge. */
export function planOf(view: PlanView): Plan {
  const {
    mutations,
    plan_id,
    status,
    source,
    finding_ids,
    confidence,
    risk,
    expected_impact,
    rationale,
    evidence,
    created_at,
  } = view;
  return planSchema.parse({
    plan_id,
    status,
    source,
    finding_ids,
    confidence,
    risk,
    expected_impact,
    rationale,
    evidence,
    created_at,
    mutations: mutations.map(({ ordinal: _ordinal, status: _status, ...mutation }) => mutation),
  });
}
