export {
  policySchema,
  type AnalyzerThresholds,
  type AutoRollbackPolicy,
  type CanaryPolicy,
  type GuardedMetric,
  type Policy,
  type PolicyInput,
  type PromotionPolicy,
} from './policy.schema';
export { DEFAULT_POLICIES_PATH } from './default-policies-path';
export { parsePolicy } from './loading/parse-policy';
export { loadPolicyFile } from './loading/load-policy-file';
export { PolicyStore } from './loading/policy-store';
export { policyStatusSchema, type PolicyStatus } from './policy-status.schema';
export { policiesEnv } from './policies.env';
export { PoliciesModule } from './policies.module';
export { adapterConstraints } from './adapter-constraints';
export type { AgentGateState, GateState, PrepareOutcome } from './gates/gate-state';
export { validatePlan } from './gates/validate-plan';
export { learningSchema, type LearningPolicy, type QualityWeights } from './quality/learning.schema';
export { qualityScore, type QualityMetric } from './quality/quality-score';
export { memoryPolicySchema, type MemoryPolicy, type PersonaSignal } from './memory/memory-policy.schema';
export { insightsSchema, type ReportsPolicy, type SuccessDefinition } from './insights/insights.schema';
export { successVerdict } from './insights/success-verdict';
