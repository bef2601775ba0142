import { baseEnvSchema, natsEnv, port, postgresEnv, redisEnv } from '@metaloop/config';
import { policiesEnv } from '@metaloop/policies';
import { z } from 'zod';

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), z.url({ protocol: /^https?$/ }).optional());
const optionalSecret = z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional());

/** orchestrator: BullMQ workers for plan execution, canary monitoring, promotion and rollback. */
export const envSchema = baseEnvSchema
  .extend({
    PORT: port(8093),
    ...postgresEnv,
    ...natsEnv,
    ...redisEnv,
    ...policiesEnv,
    /** A vLLM-compatible server for LORA_APPLY (runtime LoRA updating on); unset: LoRA mutations change config only. */
    LORA_SERVER_URL: optionalUrl,
    LORA_SERVER_API_KEY: optionalSecret,
    /** The user's router, told of ROUTE_CHANGE weights at promotion (signed webhook); unset: config only. */
    ROUTER_WEBHOOK_URL: optionalUrl,
    /** HMAC-SHA256 key of the router webhook's signature; required with ROUTER_WEBHOOK_URL. */
    ROUTER_WEBHOOK_SECRET: optionalSecret,
    /** Timeout of one side-effect call, its retries and the first backoff (doubled each retry). */
    SIDE_EFFECT_TIMEOUT_MS: int(100, 120_000, 5_000),
    SIDE_EFFECT_RETRIES: int(0, 10, 3),
    SIDE_EFFECT_BACKOFF_MS: int(1, 60_000, 250),
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
  .superRefine((env, ctx) => {
    if (env.ROUTER_WEBHOOK_URL && !env.ROUTER_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['ROUTER_WEBHOOK_SECRET'], message: 'required with ROUTER_WEBHOOK_URL (the webhook is signed)' });
    }
  });

export type Env = z.infer<typeof envSchema>;
