import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connectJetStream, type JetStreamContext } from '@metaloop/messaging';
import { MetricsRegistry } from '@metaloop/observability';
import { deleteRedisKeys, eventually, scratchSchema, testEnv, type ScratchSchema } from '@metaloop/testing';
import { Client } from 'pg';

/**
 * oracle-api in-process against the real services, isolated per suite: its own Postgres
 * schema, NATS prefix (streams and subjects) and Redis key prefix, all removed by dispose().
 */
export interface OracleHarness {
  /** Schema name, NATS prefix and Redis prefix alike. */
  prefix: string;
  schema: ScratchSchema;
  /** The test's own JetStream connection, for publishing and inspecting. */
  nats: JetStreamContext;
  apps: NestFastifyApplication[];
  /** Starts one more replica (same environment); the first is started by oracleHarness. */
  startReplica(): Promise<NestFastifyApplication>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Until the ingest consumer has nothing undelivered or unacknowledged. */
  ingestIdle(timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export interface HarnessOptions {
  /** Wait for /health/ready before a replica counts as started (default true). */
  waitForReady?: boolean;
  /** Reach Postgres at this host:port instead (a proxy the test can cut); the test's own queries go direct. */
  databaseHostPort?: string;
}

export async function oracleHarness(
  suite: string,
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<OracleHarness> {
  const schema = await scratchSchema(suite);
  const prefix = schema.schema;
  // ConfigModule validates process.env when app.module is first imported: set it before that.
  const databaseUrl = new URL(schema.url);
  if (options.databaseHostPort) databaseUrl.host = options.databaseHostPort;
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl.toString(),
    NATS_URL: testEnv.TEST_NATS_URL,
    NATS_PREFIX: prefix,
    REDIS_URL: testEnv.TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    INGEST_RETRY_DELAY_MS: '20',
    INGEST_GAUGE_POLL_MS: '200',
    // Ticks only when a test asks: a scheduled one would analyze behind the test's back.
    TICK_INTERVAL_MINUTES: '0',
    ...env,
  });
  const nats = await connectJetStream({ servers: process.env['NATS_URL']!, name: `${suite}-spec`, prefix });
  const db = new Client({ connectionString: testEnv.TEST_DATABASE_URL, options: `-c search_path=${prefix}` });
  await db.connect();
  const apps: NestFastifyApplication[] = [];

  const startReplica = async () => {
    const [{ createApp }, { oracleApi }] = await Promise.all([
      import('@metaloop/platform'),
      import('../app.definition.js'),
    ]);
    const app = await createApp(oracleApi);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    apps.push(app);
    // NATS connects in the background: tests start once every dependency answers.
    if (options.waitForReady === false) return app;
    await eventually(
      async () => {
        const response = await app.inject({ method: 'GET', url: '/health/ready' });
        if (response.statusCode !== 200) throw new Error(response.body);
      },
      15_000,
      50,
    );
    return app;
  };

  const harness: OracleHarness = {
    prefix,
    schema,
    nats,
    apps,
    startReplica,
    query: async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as T[],
    ingestIdle: async (timeoutMs = 15_000) => {
      const { stream, config } = nats.topology.consumers.ingest;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const info = await nats.jsm.consumers.info(stream, config.durable_name!).catch(() => undefined);
        if (info && info.num_pending + info.num_ack_pending === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `ingest not idle after ${timeoutMs} ms: ${JSON.stringify(info && { pending: info.num_pending, ack_pending: info.num_ack_pending })}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    dispose: async () => {
      for (const app of apps.splice(0)) await app.close();
      for (const stream of Object.values(nats.topology.streams))
        await nats.jsm.streams.delete(stream.name).catch(() => undefined);
      await nats.nc.close();
      await db.end();
      await schema.drop();
      await deleteRedisKeys(prefix);
    },
  };
  await startReplica();
  return harness;
}

/** A counter's or histogram series' value summed over replicas and the series matching `labels`. */
export async function metricValue(
  apps: readonly NestFastifyApplication[],
  series: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const name = series.replace(/_(count|sum|bucket)$/, '');
  let total = 0;
  for (const app of apps) {
    const metric = app.get(MetricsRegistry).getSingleMetric(name);
    if (!metric) continue;
    const { values } = await metric.get();
    for (const value of values) {
      const valueSeries = (value as { metricName?: string }).metricName ?? name;
      const labelValues = value.labels as Record<string, string | number | undefined>;
      if (valueSeries === series && Object.entries(labels).every(([k, v]) => String(labelValues[k]) === v))
        total += value.value;
    }
  }
  return total;
}
