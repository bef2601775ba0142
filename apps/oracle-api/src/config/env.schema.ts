import { adaptersEnv, checkAdaptersEnv } from '@metaloop/adapters';
import { baseEnvSchema, int, natsEnv, port, postgresEnv, redisEnv } from '@metaloop/config';
import { examplesEnv } from '@metaloop/examples';
import { policiesEnv } from '@metaloop/policies';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** oracle-api: the control plane (ingest, registry, analysis, planning, gates, tick). */
export const envSchema = baseEnvSchema
  .extend({
    PORT: port(8092),
    ...postgresEnv,
    ...natsEnv,
    ...redisEnv,
    /** Messages (envelopes) the ingest consumer takes per fetch; they are written in one transaction. */
    INGEST_BATCH_MAX: int(1, 5_000, 200),
    /** Batches in flight at once: one is prepared here while Postgres commits others (3 measured best on 2 cores). */
    INGEST_CONCURRENCY: int(1, 16, 3),
    /**
     * …and about this many bytes of them (the first message always comes): envelopes carry up to
     * hundreds of events, and one transaction must stay well inside the consumer's 30 s ack wait.
     */
    INGEST_BATCH_MAX_BYTES: int(65_536, 67_108_864, 4_194_304),
    /** How long an idle fetch waits for the first message (the JetStream client's minimum is 1 s). */
    INGEST_FETCH_EXPIRES_MS: int(1_000, 30_000, 2_000),
    /** Deliveries before a failing message is dead-lettered; also the consumer's max_deliver. */
    INGEST_MAX_DELIVER: int(1, 100, 5),
    /**
     * The consumer's ack wait: an unacknowledged message (its replica died) is delivered again
     * after this. Messages being worked on are kept alive meanwhile, so it bounds recovery time,
     * not batch duration.
     */
    INGEST_ACK_WAIT_MS: int(1_000, 600_000, 30_000),
    /** Redelivery delay after the first failure, doubled with each further one (capped at a minute). */
    INGEST_RETRY_DELAY_MS: int(10, 60_000, 1_000),
    /** How often consumer backlog and DLQ depth are read for the gauges. */
    INGEST_GAUGE_POLL_MS: int(100, 300_000, 5_000),
    /**
     * Raw feedback events and system metrics older than this (by received_at) are purged; rollups
     * stay. At least the FEEDBACK stream's 7-day max age: the raw rows are what makes a late
     * redelivery (e.g. a re-created consumer reading the stream from the start) a no-op.
     */
    RETENTION_DAYS: int(7, 3_650, 30),
    RETENTION_PURGE_EVERY_MINUTES: int(1, 10_080, 60),
    /** Rows per DELETE statement, so a purge never holds long locks or bloats one transaction. */
    RETENTION_PURGE_CHUNK_ROWS: int(100, 1_000_000, 10_000),
    /** How often the scheduled tick runs (analyze → plan → validate → execute); 0 = only by REST. */
    TICK_INTERVAL_MINUTES: int(0, 1_440, 5),
    /** The recent window a tick analyzes (compared with the same length before it). */
    TICK_WINDOW_HOURS: z.coerce.number().min(0.05).max(720).default(1),
    /**
     * Optional LLM proposer: an OpenAI-compatible base URL (e.g. https://api.openai.com/v1). Unset =
     * off. It is asked only about findings no rule or registered candidate fixes, and whatever it
     * proposes passes the same schema and SPEC gates as every other mutation.
     */
    LLM_PROPOSER_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
    LLM_PROPOSER_MODEL: z.string().min(1).default('gpt-4o-mini'),
    LLM_PROPOSER_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
    LLM_PROPOSER_TIMEOUT_MS: int(100, 120_000, 15_000),
    /** The most confidence an LLM proposal may claim (the gates' minimum is 0.7 by default). */
    LLM_PROPOSER_MAX_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.75),
    /** Where training datasets are written (`<dataset id>/{train,validation}.jsonl`, `manifest.json`); share it with the trainer or let it download. */
    DATASETS_DIR: z.string().min(1).default(join(tmpdir(), 'metaloop-datasets')),
    /** Feedback events read per page while a dataset is built (a keyset page; a million events never sit in memory). */
    DATASET_PAGE_ROWS: int(100, 100_000, 5_000),
    /** The trainer's webhook: training requests are POSTed here, signed with TRAINER_SECRET. Unset = only `training.requested` on NATS. */
    TRAINER_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
    /** HMAC-SHA256 secret of the `x-metaloop-signature` header (`t=<unix s>,v1=<hex>`). */
    TRAINER_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
    TRAINER_TIMEOUT_MS: int(100, 120_000, 10_000),
    /** How often the reports job looks for a missing weekly/monthly fleet report (last complete period); 0 = only on demand. */
    REPORTS_EVERY_MINUTES: int(0, 10_080, 60),
    /** The periods the schedule reports on, comma-separated. */
    REPORTS_PERIODS: z
      .string()
      .default('weekly,monthly')
      .transform((v) => [
        ...new Set(
          v
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
        ),
      ])
      .pipe(z.array(z.enum(['weekly', 'monthly'])).min(1)),
    /** Called (POST, signed with REPORT_WEBHOOK_SECRET like the trainer's) with a report whose success rate dropped; unset = metric only. */
    REPORT_WEBHOOK_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
    REPORT_WEBHOOK_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
    REPORT_WEBHOOK_TIMEOUT_MS: int(100, 120_000, 10_000),
    /**
     * Suggestions (seed 003): at most this many judged feedback events are read per request
     * (newest first, over all the agents asked about), and an area needs this many negative ones.
     */
    SUGGESTIONS_MAX_EVENTS: int(100, 1_000_000, 50_000),
    SUGGESTIONS_MIN_NEGATIVES: int(1, 10_000, 3),
    /**
     * Optional model for suggestions: the API's base URL with its version (an OpenAI-compatible
     * `https://api.openai.com/v1`, or Anthropic's `https://api.anthropic.com/v1` with KIND anthropic).
     * Unset = the rules only; any failure of the model falls back to the rules.
     */
    SUGGESTIONS_MODEL_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
    SUGGESTIONS_MODEL_KIND: z.enum(['openai', 'anthropic']).default('openai'),
    SUGGESTIONS_MODEL: z.string().min(1).default('gpt-4o-mini'),
    SUGGESTIONS_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
    SUGGESTIONS_MODEL_TIMEOUT_MS: int(100, 120_000, 20_000),
    /**
     * Optional persona model (seed 002): an OpenAI-compatible base URL asked for facet deltas after
     * each selection. Unset = off (the policy's rules alone); its answer is validated (registered
     * facets only), clamped to the policy's max_delta and logged with the persona update.
     */
    MEMORY_PERSONA_MODEL_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
    MEMORY_PERSONA_MODEL: z.string().min(1).default('gpt-4o-mini'),
    MEMORY_PERSONA_MODEL_API_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
    MEMORY_PERSONA_MODEL_TIMEOUT_MS: int(100, 60_000, 5_000),
    /** Grafana's base URL: the operator console links its dashboards there (unset: no links). */
    GRAFANA_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
    /** The operator console's built files (apps/console/dist), served at /console. */
    CONSOLE_DIR: z.string().min(1).default(join(__dirname, '../../../console/dist')),
    /** The embedder of example inputs (DICL): the same as feedback-api's, or retrieval finds nothing. */
    ...examplesEnv,
    /** The policy file, its hot-reload poll and seed 004's overrides (libs/policies). */
    ...policiesEnv,
    /**
     * The adapters' side-effect endpoints and retries, as the orchestrator reads them: the gates'
     * dry prepare runs the same adapters the orchestrator executes (it makes no call itself).
     */
    ...adaptersEnv,
  })
  .superRefine(checkAdaptersEnv)
  .refine((env) => !env.TRAINER_URL || env.TRAINER_SECRET, {
    message: 'TRAINER_SECRET is required with TRAINER_URL (deliveries are signed)',
    path: ['TRAINER_SECRET'],
  })
  .refine((env) => !env.REPORT_WEBHOOK_URL || env.REPORT_WEBHOOK_SECRET, {
    message: 'REPORT_WEBHOOK_SECRET is required with REPORT_WEBHOOK_URL (calls are signed)',
    path: ['REPORT_WEBHOOK_SECRET'],
  });

export type Env = z.infer<typeof envSchema>;
