import { z } from 'zod';

/** Booleans from the environment: only the spellings people actually use. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** A whole number within [min, max]; `fallback` when unset. */
export const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL');

export const natsServers = z
  .string()
  .min(1)
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const redisUrl = z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL');

/** An optional setting for which an empty value (`KEY=` in a manifest) means unset. */
const unlessEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Settings every app shares: where it listens, how it logs, which deployment it is. */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Namespace for JetStream streams and subjects (isolates test suites); empty in production. */
  NATS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]*$/i, 'expected empty or one token of letters, digits, _ or -, e.g. "t1"')
    .default(''),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000, 10_000),
  /** A client must send the whole request head within this (else 408 and the socket closes); idle new sockets too. */
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000, 10_000),
  /** ...and the whole request, body included, within this: a promised body that never comes is not waited on. */
  HTTP_REQUEST_TIMEOUT_MS: int(100, 600_000, 30_000),
  /** An idle keep-alive socket closes after this; above a load balancer's idle timeout (often 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000, 72_000),
  /** Sockets open at once per process; new ones beyond are refused. */
  HTTP_MAX_CONNECTIONS: int(1, 1_000_000, 10_000),
  /** Requests one keep-alive socket may carry before it is closed; 0: no limit. */
  HTTP_MAX_REQUESTS_PER_SOCKET: int(0, 1_000_000, 0),
  /** OTLP/HTTP base URL (spans go to `<url>/v1/traces`); unset: no tracing, nothing of the SDK loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: unlessEmpty(z.url({ protocol: /^https?$/ })),
  /** `service.name` of the spans; unset: the app's name. */
  OTEL_SERVICE_NAME: unlessEmpty(z.string()),
  /** Share of new traces kept (0–1); a trace begun by a caller keeps the caller's choice. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** Finished spans are exported at most this long after they end (ms). */
  OTEL_BSP_SCHEDULE_DELAY: int(10, 60_000, 5_000),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;

/** Env of apps that use Postgres. */
export const postgresEnv = {
  DATABASE_URL: postgresUrl,
  /** Apply pending migrations at start (advisory-locked; safe with many replicas). */
  MIGRATE_ON_START: envBoolean.default(true),
};

/** Env of apps that use NATS; NATS_URL may list several servers, comma-separated. */
export const natsEnv = { NATS_URL: natsServers };

/** Env of apps that use Redis (BullMQ, locks, budget). */
export const redisEnv = {
  REDIS_URL: redisUrl,
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only')
    .default('metaloop'),
};
