import type { Policy } from '../policy.schema';

/**
 * Seed 004's environment settings, where they map onto the policy, by their variable names.
 * Each one set wins over the file; unset ones leave the file's value. The lib never reads
 * `process.env`: the app's env schema (with `policiesEnv`) parses them and passes them in.
 */
export interface PolicyOverrides {
  /** → confidence.min */
  ORACLE_CONFIDENCE_THRESHOLD?: number;
  /** → budgets.mutations_per_hour.global */
  ORACLE_MAX_MUTATIONS_PER_HOUR?: number;
  /** → auto_rollback.enabled */
  ORACLE_AUTO_ROLLBACK?: boolean;
  /** → approval.high_risk.required */
  REQUIRE_APPROVAL_FOR_HIGH_RISK?: boolean;
  /** → the first canary step; the file's steps not above it are dropped. */
  CANARY_DEPLOYMENT_PERCENT?: number;
}

export const OVERRIDE_NAMES = [
  'ORACLE_CONFIDENCE_THRESHOLD',
  'ORACLE_MAX_MUTATIONS_PER_HOUR',
  'ORACLE_AUTO_ROLLBACK',
  'REQUIRE_APPROVAL_FOR_HIGH_RISK',
  'CANARY_DEPLOYMENT_PERCENT',
] as const satisfies ReadonlyArray<keyof PolicyOverrides>;

/** Only the overrides that are set (what the status shows and the version hash covers). */
export function activeOverrides(source: PolicyOverrides): PolicyOverrides {
  return Object.fromEntries(
    OVERRIDE_NAMES.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]),
  );
}

/** The policy with the overrides that are set applied; the input is not modified. */
export function applyOverrides(policy: Policy, overrides: PolicyOverrides): Policy {
  const firstStep = overrides.CANARY_DEPLOYMENT_PERCENT;
  return {
    ...policy,
    confidence: { ...policy.confidence, min: overrides.ORACLE_CONFIDENCE_THRESHOLD ?? policy.confidence.min },
    budgets: {
      ...policy.budgets,
      mutations_per_hour: {
        ...policy.budgets.mutations_per_hour,
        global: overrides.ORACLE_MAX_MUTATIONS_PER_HOUR ?? policy.budgets.mutations_per_hour.global,
      },
    },
    auto_rollback: { ...policy.auto_rollback, enabled: overrides.ORACLE_AUTO_ROLLBACK ?? policy.auto_rollback.enabled },
    approval: {
      ...policy.approval,
      high_risk: {
        ...policy.approval.high_risk,
        required: overrides.REQUIRE_APPROVAL_FOR_HIGH_RISK ?? policy.approval.high_risk.required,
      },
    },
    canary: {
      ...policy.canary,
      steps:
        firstStep === undefined
          ? policy.canary.steps
          : [firstStep, ...policy.canary.steps.filter((step) => step > firstStep)],
    },
  };
}
