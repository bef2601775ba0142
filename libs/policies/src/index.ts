export {
  actionsSchema,
  approvalRuleSchema,
  approvalSchema,
  autoRollbackSchema,
  budgetsSchema,
  canarySchema,
  concurrencySchema,
  confidenceSchema,
  cooldownSchema,
  freezeSchema,
  GUARDED_METRICS,
  guardedMetricSchema,
  policySchema,
  promotionSchema,
  rollbackSchema,
  targetsSchema,
  thresholdsSchema,
  type AnalyzerThresholds,
  type ApprovalRule,
  type AutoRollbackPolicy,
  type CanaryPolicy,
  type GuardedMetric,
  type Policy,
  type PolicyInput,
  type PromotionPolicy,
} from './policy.schema';
export { DEFAULT_POLICIES_PATH } from './default-policies-path';
export { parsePolicy, type ParsedPolicy, type PolicyIssue } from './loading/parse-policy';
export { loadPolicyFile, PolicyLoadError, type EffectivePolicy } from './loading/load-policy-file';
export { activeOverrides, applyOverrides, OVERRIDE_NAMES, type PolicyOverrides } from './loading/overrides';
export { PolicyStore, type PolicyListener, type PolicyLogger, type PolicyStoreOptions, type ReloadOutcome } from './loading/policy-store';
export { policyRejectionSchema, policyStatusSchema, type PolicyRejection, type PolicyStatus } from './policy-status.schema';
export { policiesEnv, policyStoreOptionsFromEnv, type PoliciesEnv } from './policies.env';
export { PoliciesModule } from './policies.module';
export { adapterConstraints, routeShiftPoints } from './adapter-constraints';
export type { AgentGateState, GateState, MutationGateState, PrepareOutcome } from './gates/gate-state';
export { GATES, validatePlan, type Gate, type PlanValidation } from './gates/validate-plan';
export { concurrencySafetyGate } from './gates/concurrency-safety.gate';
export { confidenceAndEvidenceGate } from './gates/confidence-and-evidence.gate';
export { freezeGate } from './gates/freeze.gate';
export { policyComplianceGate } from './gates/policy-compliance.gate';
export { rateBudgetGate } from './gates/rate-budget.gate';
export { resourceSafetyGate } from './gates/resource-safety.gate';
export { riskApprovalGate } from './gates/risk-approval.gate';
export { rollbackViabilityGate } from './gates/rollback-viability.gate';
