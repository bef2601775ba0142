import { baseEnvSchema, int, natsEnv, port, postgresEnv, redisEnv } from '@metaloop/config';
import { examplesEnv } from '@metaloop/examples';
import { policiesEnv } from '@metaloop/policies';
import { z } from 'zod';

/** feedback-api: the agent-facing data plane (feedback in, live config out). */
export const envSchema = baseEnvSchema.extend({
  PORT: port(8091),
  ...postgresEnv,
  ...natsEnv,
  ...redisEnv,
  /**
   * The policy (the same file as oracle-api's): the subject context ranks goals and preferences
   * by its memory.half_life_days, hot-reloaded.
   */
  ...policiesEnv,
  /** Group commit: how long the first event of a batch may wait for company (0 = same event-loop turn). */
  PUBLISH_LINGER_MS: int(0, 2, 1),
  /** A batch is published as soon as it holds this many events… */
  PUBLISH_MAX_EVENTS: int(1, 5_000, 500),
  /** …or this many bytes (NATS refuses messages over its max_payload, 1 MiB by default). */
  PUBLISH_MAX_BYTES: int(16_384, 8_388_608, 524_288),
  /** A JetStream ack slower than this answers 503. */
  PUBLISH_TIMEOUT_MS: int(100, 30_000, 2_000),
  /** How long an accepted client event_id answers `duplicate: true` on any replica. */
  DEDUPE_WINDOW_SECONDS: int(1, 7 * 86_400, 600),
  BODY_LIMIT_BYTES: int(1_024, 16_777_216, 262_144),
  BULK_BODY_LIMIT_BYTES: int(1_024, 104_857_600, 16_777_216),
  /** Metric definitions are reloaded this often even without a metrics.changed message. */
  METRIC_DEFINITIONS_REFRESH_MS: int(1_000, 3_600_000, 15_000),
  /**
   * The agent config cache compares every agent's config version with Postgres this often and
   * reloads what changed, so a lost `config.changed` message delays a change by at most this.
   */
  CONFIG_RESYNC_MS: int(100, 3_600_000, 10_000),
  /**
   * A config miss reads the agent from Postgres; an id Postgres does not know answers 404 from
   * memory for this long (0: not remembered), so made-up ids cannot flood the database. A
   * config.changed for the agent ends it sooner.
   */
  CONFIG_MISS_TTL_MS: int(0, 60_000, 1_000),
  /** At most this many unknown ids are remembered; the oldest go first. */
  CONFIG_MISS_MAX_ENTRIES: int(1, 1_000_000, 10_000),
  /** Misses loading from Postgres at once (the pool has 10 connections); beyond it a miss answers 503 with Retry-After. */
  CONFIG_MISS_MAX_LOADS: int(1, 1_000, 8),
  /**
   * `off` serves the hot routes (feedback collect, agent config) through Nest's pipeline like
   * every other route instead of as @FastRoute() handlers compiled at start: the way out when
   * the Nest internals those read are not what they were tested with.
   */
  /**
   * Agents' examples (DICL) are read again in full this often once loaded, so a lost
   * examples.changed message (or a deletion) delays retrieval by at most this.
   */
  EXAMPLES_RESYNC_MS: int(1_000, 86_400_000, 300_000),
  /** The embedder of queries: the same as oracle-api's, or retrieval finds nothing. */
  ...examplesEnv,
  /** The subject's context on a config fetch with subject_id (seed 002): its size in estimated tokens (characters / 4)… */
  SUBJECT_CONTEXT_TOKEN_BUDGET: int(16, 32_000, 400),
  /** …and at most this many goals, preferences and history items each. */
  SUBJECT_CONTEXT_MAX_ITEMS: int(1, 100, 5),
  /**
   * A subject's context is cached this long (0: read per fetch); `subject.memory.changed` drops it
   * at once, so this bounds how late an update shows when that message is lost…
   */
  SUBJECT_CONTEXT_CACHE_MS: int(0, 60_000, 1_000),
  /** …for at most this many subjects (the least recently loaded go first). */
  SUBJECT_CONTEXT_CACHE_MAX_ENTRIES: int(1, 1_000_000, 10_000),
  FAST_ROUTES: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
});

export type Env = z.infer<typeof envSchema>;
