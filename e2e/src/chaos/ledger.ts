import { connectJetStream } from '@metaloop/messaging';
import { withClient } from '@metaloop/testing';
import type { ChaosCluster } from './cluster';

/** What Postgres holds of the loader's events. */
export interface Stored {
  /** Rows per event id. */
  rows: Map<string, number>;
  total: number;
}

export async function stored(cluster: ChaosCluster): Promise<Stored> {
  return withClient(async (client) => {
    const result = await client.query<{ event_id: string; n: number }>(
      `SELECT event_id, count(*)::int AS n FROM "${cluster.schema.schema}".feedback_events GROUP BY event_id`,
    );
    return {
      rows: new Map(result.rows.map((r) => [r.event_id, r.n])),
      total: result.rows.reduce((sum, r) => sum + r.n, 0),
    };
  });
}

export async function storedCount(cluster: ChaosCluster): Promise<number> {
  return withClient(async (client) => {
    const result = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${cluster.schema.schema}".feedback_events`,
    );
    return result.rows[0]!.n;
  });
}

/** A rollup bucket whose count differs from the raw rows in it (per agent, revision and minute or hour). */
export interface RollupMismatch {
  table: string;
  agent_id: string;
  revision_id: string;
  bucket: string;
  raw: number;
  rollup: number;
}

/** Every minute and hour bucket whose rollup count is not the number of raw rows in it; [] when they agree. */
export async function rollupMismatches(cluster: ChaosCluster): Promise<RollupMismatch[]> {
  const s = cluster.schema.schema;
  const compare = (table: string, unit: 'minute' | 'hour') => `
    WITH raw AS (
      SELECT agent_id, revision_id,
             date_trunc('${unit}', occurred_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, count(*)::int AS n
      FROM "${s}".feedback_events GROUP BY 1, 2, 3
    )
    SELECT '${table}' AS table, agent_id, revision_id, bucket::text, coalesce(raw.n, 0) AS raw,
           coalesce(r.count, 0) AS rollup
    FROM raw FULL JOIN "${s}".${table} r USING (agent_id, revision_id, bucket)
    WHERE coalesce(raw.n, 0) <> coalesce(r.count, 0)`;
  return withClient(async (client) => {
    const minutes = await client.query<RollupMismatch>(compare('feedback_rollups', 'minute'));
    const hours = await client.query<RollupMismatch>(compare('feedback_rollups_hourly', 'hour'));
    return [...minutes.rows, ...hours.rows];
  });
}

/** What JetStream still holds for the ingest consumer, and how many dead letters there are. */
export async function ingestBacklog(cluster: ChaosCluster): Promise<{ pending: number; deadLetters: number }> {
  const ctx = await connectJetStream({ servers: cluster.nats.url, name: 'chaos-check', prefix: cluster.schema.schema });
  try {
    const { stream, config } = ctx.topology.consumers.ingest;
    const consumer = await ctx.jsm.consumers.info(stream, config.durable_name);
    const dlq = await ctx.jsm.streams.info(ctx.topology.streams.deadLetters.name);
    return { pending: consumer.num_pending + consumer.num_ack_pending, deadLetters: dlq.state.messages };
  } finally {
    await ctx.nc.close();
  }
}

/** Whether a scheduled tick (one its BullMQ job scheduler queued, not a REST call) started after `since`. */
export async function scheduledTickSince(cluster: ChaosCluster, since: Date): Promise<boolean> {
  return withClient(async (client) => {
    const result = await client.query(
      `SELECT 1 FROM "${cluster.schema.schema}".ticks WHERE trigger = 'schedule' AND started_at > $1 LIMIT 1`,
      [since],
    );
    return result.rows.length > 0;
  });
}
