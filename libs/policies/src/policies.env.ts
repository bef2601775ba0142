import { envBoolean } from '@metaloop/config';
import { z } from 'zod';
import type { PolicyStoreOptions } from './loading/policy-store';

/** An unset or empty variable is no override. */
const unlessEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * Env of apps that use the policy (oracle-api, orchestrator): where the file is, how often it
 * is checked, and seed 004's settings that override it.
 */
export const policiesEnv = {
  /** The policy YAML; default: libs/policies/default-policies.yaml. */
  POLICIES_PATH: unlessEmpty(z.string()),
  /** Stat interval of the hot-reload fallback (file-system events are acted on at once). */
  POLICIES_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  ORACLE_CONFIDENCE_THRESHOLD: unlessEmpty(z.coerce.number().min(0).max(1)),
  ORACLE_MAX_MUTATIONS_PER_HOUR: unlessEmpty(z.coerce.number().int().min(0).max(100_000)),
  ORACLE_AUTO_ROLLBACK: unlessEmpty(envBoolean),
  REQUIRE_APPROVAL_FOR_HIGH_RISK: unlessEmpty(envBoolean),
  /** The first canary step in percent; at most 50, so a canary stays a canary. */
  CANARY_DEPLOYMENT_PERCENT: unlessEmpty(z.coerce.number().gt(0).max(50)),
};

export type PoliciesEnv = z.output<z.ZodObject<typeof policiesEnv>>;

/**
 * The store's options from the app's validated env, read by name (e.g. `(name) => config.get(name)`
 * with Nest's ConfigService): the values are what `policiesEnv` parsed, so they are trusted here.
 */
export function policyStoreOptionsFromEnv(read: (name: keyof PoliciesEnv) => unknown): PolicyStoreOptions {
  const env = Object.fromEntries(
    Object.keys(policiesEnv).map((name) => [name, read(name as keyof PoliciesEnv)]),
  ) as PoliciesEnv;
  return {
    path: env.POLICIES_PATH,
    pollIntervalMs: env.POLICIES_POLL_INTERVAL_MS,
    overrides: {
      ORACLE_CONFIDENCE_THRESHOLD: env.ORACLE_CONFIDENCE_THRESHOLD,
      ORACLE_MAX_MUTATIONS_PER_HOUR: env.ORACLE_MAX_MUTATIONS_PER_HOUR,
      ORACLE_AUTO_ROLLBACK: env.ORACLE_AUTO_ROLLBACK,
      REQUIRE_APPROVAL_FOR_HIGH_RISK: env.REQUIRE_APPROVAL_FOR_HIGH_RISK,
      CANARY_DEPLOYMENT_PERCENT: env.CANARY_DEPLOYMENT_PERCENT,
    },
  };
}
