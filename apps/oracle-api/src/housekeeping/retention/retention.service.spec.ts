import { getQueueToken } from '@nestjs/bullmq';
import { JOBS, QUEUES } from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import type { Queue } from 'bullmq';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { IngestWriter } from '../../loop/ingest/ingest.writer';
import { PURGE_SCHEDULER_ID } from './retention.scheduler';
import { RetentionService } from './retention.service';

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

describe('raw-event retention', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    h = await oracleHarness('retention', {
      RETENTION_DAYS: '30',
      RETENTION_PURGE_EVERY_MINUTES: '15',
      RETENTION_PURGE_CHUNK_ROWS: '100',
    });
  });

  afterAll(() => h?.dispose());

  /** `count` feedback events and system metrics received `age` days ago, through the real ingest writer. */
  async function seed(tag: string, age: number, count: number): Promise<void> {
    const receivedAt = daysAgo(age);
    const feedback = Array.from({ length: count }, (_, i) => ({
      event_id: `${tag}-${i}`,
      kind: 'implicit' as const,
      agent_id: tag,
      session_id: 's',
      received_at: receivedAt,
      implicit: { success: true },
    }));
    const system = Array.from({ length: count }, (_, i) => ({
      event_id: `${tag}-sys-${i}`,
      source: tag,
      name: 'm',
      value: i,
      received_at: receivedAt,
    }));
    await h.apps[0]!.get(IngestWriter).write([
      { v: 1, type: 'feedback', events: feedback },
      { v: 1, type: 'system', events: system },
    ]);
  }

  const counts = async (tag: string) => {
    const [row] = await h.query<{ raw: number; system: number; rolled_up: number }>(
      `SELECT (SELECT count(*)::int FROM feedback_events WHERE agent_id = $1) AS raw,
              (SELECT count(*)::int FROM system_metrics WHERE source = $1) AS system,
              (SELECT coalesce(sum(count), 0)::int FROM feedback_rollups WHERE agent_id = $1) AS rolled_up`,
      [tag],
    );
    return row;
  };

  it('deletes raw rows received before the retention in chunks, and keeps younger rows and every rollup', async () => {
    await seed('old', 31, 250);
    await seed('young', 29, 3);
    const result = await h.apps[0]!.get(RetentionService).purge(30);
    expect(result).toMatchObject({ feedback_events: 250, system_metrics: 250 });
    expect(await counts('old')).toEqual({ raw: 0, system: 0, rolled_up: 250 });
    expect(await counts('young')).toEqual({ raw: 3, system: 3, rolled_up: 3 });
    expect(await metricValue(h.apps, 'metaloop_retention_rows_deleted_total', { table: 'feedback_events' })).toBe(250);
    expect(
      await metricValue(h.apps, 'metaloop_retention_purge_runs_total', { outcome: 'success' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('is scheduled once in BullMQ under the Redis prefix, and the maintenance worker runs the purge job', async () => {
    const queue = h.apps[0]!.get<Queue>(getQueueToken(QUEUES.maintenance));
    const scheduler = await eventually(async () => {
      const found = await queue.getJobScheduler(PURGE_SCHEDULER_ID);
      expect(found).toBeDefined();
      return found!;
    });
    expect(scheduler).toMatchObject({ name: JOBS.purgeRawEvents, every: 15 * 60_000 });
    expect(await queue.getJobSchedulersCount()).toBe(1);
    expect(queue.opts.prefix).toBe(h.prefix);

    await seed('job', 40, 5);
    const job = await queue.add(JOBS.purgeRawEvents, { retentionDays: 30 });
    await eventually(async () => expect(await job.isCompleted()).toBe(true));
    expect(await counts('job')).toEqual({ raw: 0, system: 0, rolled_up: 5 });
  });
});
