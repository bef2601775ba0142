import { Injectable } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { inSpan } from '@metaloop/observability/tracing';
import { PolicyStore } from '@metaloop/policies';
import type { Envelope, StoredFeedbackEvent, StoredSystemMetric } from '@metaloop/contracts';
import { feedbackEventRow, systemMetricRow } from './event-rows';
import {
  INSERT_FEEDBACK_EVENTS,
  INSERT_SYSTEM_METRICS,
  UPSERT_FEEDBACK_ROLLUPS,
  UPSERT_FEEDBACK_ROLLUPS_HOURLY,
  UPSERT_DIMENSION_ROLLUPS,
  UPSERT_METRIC_ROLLUPS,
} from './ingest.sql';
import { dimensionRollups } from '../rollups/dimension-rollups';
import { aggregateRollups, hourlyRollups } from '../rollups/rollup-aggregation';

export interface TypeCounts {
  inserted: number;
  /** Events already stored (a redelivery, a republished batch, or twice in this batch). */
  duplicate: number;
}

export interface WriteResult {
  feedback: TypeCounts;
  system: TypeCounts;
}

type Sql = Pick<PrismaService, '$queryRawUnsafe' | '$executeRawUnsafe'>;

/**
 * Writes the events of many envelopes in ONE transaction: raw rows first, then rollup
 * increments (per minute, per hour, per hour and tag / context value) of exactly the rows that
 * were new. A message delivered again after its batch committed (crash before the ack) inserts
 * nothing, so it cannot count twice.
 */
@Injectable()
export class IngestWriter {
  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
  ) {}

  /** In a span of its own (`ingest transaction`, a child of the batch's), with Postgres' statements under it. */
  write(envelopes: readonly Envelope[]): Promise<WriteResult> {
    return inSpan('ingest transaction', { attributes: { 'metaloop.envelopes': envelopes.length } }, () =>
      this.transaction(envelopes),
    );
  }

  private async transaction(envelopes: readonly Envelope[]): Promise<WriteResult> {
    const feedbackEvents: StoredFeedbackEvent[] = [];
    const systemMetrics: StoredSystemMetric[] = [];
    for (const envelope of envelopes) {
      if (envelope.type === 'feedback') feedbackEvents.push(...envelope.events);
      else systemMetrics.push(...envelope.events);
    }
    // Sorted by primary key: concurrent batches take row locks in the same order.
    const feedbackRows = uniqueSorted(feedbackEvents.map(feedbackEventRow), (row) => row.event_id);
    const systemRows = uniqueSorted(systemMetrics.map(systemMetricRow), (row) => row.id);
    return this.prisma.$transaction(
      async (tx) => {
        const inserted = await insertFeedbackEvents(tx, feedbackRows);
        const newEvents = feedbackRows.filter((row) => inserted.has(row.event_id)).map((row) => row.payload);
        const rollups = aggregateRollups(newEvents);
        if (rollups.feedback.length > 0) {
          await tx.$executeRawUnsafe(UPSERT_FEEDBACK_ROLLUPS, JSON.stringify(rollups.feedback));
          await tx.$executeRawUnsafe(UPSERT_FEEDBACK_ROLLUPS_HOURLY, JSON.stringify(hourlyRollups(rollups.feedback)));
          const dimensions = dimensionRollups(newEvents, this.policies.current().policy.insights.success);
          await tx.$executeRawUnsafe(UPSERT_DIMENSION_ROLLUPS, JSON.stringify(dimensions));
        }
        if (rollups.metrics.length > 0)
          await tx.$executeRawUnsafe(UPSERT_METRIC_ROLLUPS, JSON.stringify(rollups.metrics));
        const systemInserted = await insertSystemMetrics(tx, systemRows);
        return {
          feedback: { inserted: inserted.size, duplicate: feedbackEvents.length - inserted.size },
          system: { inserted: systemInserted, duplicate: systemMetrics.length - systemInserted },
        };
      },
      // A full batch is a few statements; the limits only catch a stuck database.
      { maxWait: 10_000, timeout: 30_000 },
    );
  }
}

async function insertFeedbackEvents(tx: Sql, rows: ReadonlyArray<{ event_id: string }>): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const returned = await tx.$queryRawUnsafe<Array<{ event_id: string }>>(INSERT_FEEDBACK_EVENTS, JSON.stringify(rows));
  return new Set(returned.map((row) => row.event_id));
}

async function insertSystemMetrics(tx: Sql, rows: readonly object[]): Promise<number> {
  if (rows.length === 0) return 0;
  const returned = await tx.$queryRawUnsafe<unknown[]>(INSERT_SYSTEM_METRICS, JSON.stringify(rows));
  return returned.length;
}

/** First occurrence of each key, sorted by key (code-unit order, like the rollup rows). */
function uniqueSorted<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) if (!byKey.has(key(row))) byKey.set(key(row), row);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
