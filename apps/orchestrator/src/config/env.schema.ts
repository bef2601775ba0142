import { adaptersEnv, checkAdaptersEnv } from '@metaloop/adapters';
import { baseEnvSchema, int, natsEnv, port, postgresEnv, redisEnv } from '@metaloop/config';
import { policiesEnv } from '@metaloop/policies';
import { z } from 'zod';

/** orchestrator: BullMQ workers for plan execution, canary monitoring, promotion and rollback. */
export const envSchema = baseEnvSchema
  .extend({
    PORT: port(8093),
    ...postgresEnv,
    ...natsEnv,
    ...redisEnv,
    ...policiesEnv,
    /** The adapters' side-effect endpoints and retries (libs/adapters; oracle-api reads the same). */
    ...adaptersEnv,
    /** How often the reconciler re-creates missing monitor schedules and queues pending reverts and stranded plans. */
    RECONCILE_INTERVAL_MS: int(200, 600_000, 10_000),
    /** Backoff of a job that failed for a passing reason (database or Redis away): doubled per attempt up to the cap. */
    JOB_RETRY_BASE_MS: int(10, 600_000, 1_000),
    JOB_RETRY_MAX_MS: int(100, 3_600_000, 60_000),
    /** Attempts of a plan job before its remaining mutations are failed. */
    PLAN_MAX_ATTEMPTS: int(1, 1_000, 20),
    /** Attempts of an adapter revert before it is marked failed (then a person looks). */
    REVERT_MAX_ATTEMPTS: int(1, 10_000, 100),
    /** Rollouts one replica looks at concurrently. */
    MONITOR_CONCURRENCY: int(1, 64, 4),
  })
  .superRefine(checkAdaptersEnv);

export type Env = z.infer<typeof envSchema>;
