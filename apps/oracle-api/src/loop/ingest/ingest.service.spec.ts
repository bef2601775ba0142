import { LATENCY_BUCKETS, latencyBucket } from '@metaloop/core';
import { type StoredFeedbackEvent, type StoredSystemMetric } from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { IngestWriter } from './ingest.writer';
import { aggregateRollups, hourlyRollups } from '../rollups/rollup-aggregation';

const MINUTE = '2026-11-25T10:00:00.000Z';
let seq = 0;
const id = (tag: string) => `${tag}-${++seq}`;

function feedback(fields: Partial<StoredFeedbackEvent> = {}): StoredFeedbackEvent {
  return {
    event_id: id('evt'),
    kind: fields.explicit ? 'explicit' : 'implicit',
    agent_id: 'alpha',
    session_id: 's1',
    received_at: '2026-11-25T10:00:30.000Z',
    ...fields,
  };
}

const envelope = (events: StoredFeedbackEvent[]) => ({ v: 1 as const, type: 'feedback' as const, events });

describe('ingest consumer (real NATS and Postgres)', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    // A long fetch expiry: shutdown must not wait it out.
    h = await oracleHarness('ingest', { INGEST_MAX_DELIVER: '3', INGEST_FETCH_EXPIRES_MS: '20000' });
  });

  afterAll(() => h?.dispose());

  const publish = (body: unknown, agent = 'alpha', kind: 'explicit' | 'implicit' = 'implicit') =>
    h.nats.js.publish(
      h.nats.topology.subjects.feedback(kind, agent),
      typeof body === 'string' ? body : JSON.stringify(body),
    );

  const rollup = async (agent: string, revision = '') =>
    (
      await h.query(`SELECT * FROM feedback_rollups WHERE agent_id = $1 AND revision_id = $2 ORDER BY bucket`, [
        agent,
        revision,
      ])
    ).map((row) => ({
      ...row,
      bucket: (row['bucket'] as Date).toISOString(),
      tokens_in: Number(row['tokens_in']),
      tokens_out: Number(row['tokens_out']),
    }));

  const metric = (series: string, labels: Record<string, string> = {}) => metricValue(h.apps, series, labels);

  it('stores raw events and exact per-minute rollups, metric rollups and system metrics', async () => {
    const events = [
      feedback({
        revision_id: 'r1',
        explicit: { rating: 5, helpful: true },
        implicit: { response_time_ms: 120, success: true, tokens_in: 10, tokens_out: 30, cost_usd: 0.5 },
        metrics: { resolved: true, csat: 0.5 },
      }),
      feedback({
        revision_id: 'r1',
        explicit: { rating: 2, helpful: false, complaint: 'too long' },
        implicit: { response_time_ms: 2_000, success: false },
        metrics: { resolved: false },
      }),
      feedback({
        revision_id: 'r1',
        timestamp: '2026-11-25T10:00:59.999Z',
        implicit: { success_rate: 0.25, error_code: 'rate_limit' },
      }),
      feedback({ revision_id: 'r1', timestamp: '2026-11-25T10:01:00.000Z', implicit: { response_time_ms: 5 } }),
      feedback({ explicit: { comment: 'no revision' } }),
    ];
    const system: StoredSystemMetric[] = [
      {
        event_id: '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b',
        source: 'gateway',
        name: 'queue_depth',
        value: 7,
        unit: 'jobs',
        labels: { region: 'eu' },
        received_at: MINUTE,
      },
      {
        event_id: '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5c',
        source: 'gateway',
        name: 'queue_depth',
        value: 9,
        received_at: MINUTE,
      },
    ];
    await publish(envelope(events.slice(0, 2)), 'alpha', 'explicit');
    await publish(envelope(events.slice(2)));
    await h.nats.js.publish(
      h.nats.topology.subjects.system('gateway'),
      JSON.stringify({ v: 1, type: 'system', events: system }),
    );

    await eventually(async () => expect((await h.query('SELECT 1 FROM feedback_events')).length).toBe(5));
    await eventually(async () => expect((await h.query('SELECT 1 FROM system_metrics')).length).toBe(2));

    const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
    hist[latencyBucket(120)] = 1;
    hist[latencyBucket(2_000)] = 1;
    expect(await rollup('alpha', 'r1')).toEqual([
      {
        agent_id: 'alpha',
        revision_id: 'r1',
        bucket: MINUTE,
        count: 3,
        success_n: 3,
        success_sum: 1.25,
        errors: 2,
        rating_count: 2,
        rating_sum: 7,
        rating_sum_sq: 29,
        helpful_up: 1,
        helpful_down: 1,
        complaints: 1,
        latency_count: 2,
        latency_sum_ms: 2_120,
        latency_hist: hist,
        tokens_in: 10,
        tokens_out: 30,
        cost_usd: 0.5,
      },
      expect.objectContaining({ bucket: '2026-11-25T10:01:00.000Z', count: 1, latency_count: 1, latency_sum_ms: 5 }),
    ]);
    expect(await rollup('alpha')).toEqual([expect.objectContaining({ bucket: MINUTE, count: 1, rating_count: 0 })]);
    const metrics = await h.query(
      `SELECT metric, count, sum, sum_sq FROM metric_rollups WHERE agent_id = 'alpha' ORDER BY metric`,
    );
    expect(metrics).toEqual([
      { metric: 'csat', count: 1, sum: 0.5, sum_sq: 0.25 },
      { metric: 'resolved', count: 2, sum: 1, sum_sq: 1 },
    ]);

    const [raw] = await h.query(`SELECT * FROM feedback_events WHERE event_id = $1`, [events[1]!.event_id]);
    expect(raw).toMatchObject({
      revision_id: 'r1',
      rating: 2,
      helpful: false,
      complaint: 'too long',
      success: 0,
      response_time_ms: 2_000,
      payload: events[1],
    });
    const [noRevision] = await h.query(`SELECT revision_id, occurred_at FROM feedback_events WHERE event_id = $1`, [
      events[4]!.event_id,
    ]);
    expect(noRevision).toEqual({ revision_id: '', occurred_at: new Date('2026-11-25T10:00:30.000Z') });
    const rows = await h.query(`SELECT id, value, unit, labels FROM system_metrics ORDER BY id`);
    expect(rows).toEqual([
      { id: system[0]!.event_id, value: 7, unit: 'jobs', labels: { region: 'eu' } },
      { id: system[1]!.event_id, value: 9, unit: null, labels: null },
    ]);
    expect(await metric('metaloop_ingest_events_total', { type: 'feedback', result: 'inserted' })).toBe(5);
    expect(await metric('metaloop_ingest_events_total', { type: 'system', result: 'inserted' })).toBe(2);
  });

  it('never counts an event twice: not after a crash between commit and ack, nor when republished', async () => {
    const first = [
      feedback({ agent_id: 'beta', explicit: { rating: 4 } }),
      feedback({ agent_id: 'beta', explicit: { rating: 2 } }),
    ];
    // Committed as if a replica crashed before acking: the message is then delivered again.
    await h.apps[0]!.get(IngestWriter).write([envelope(first)]);
    await publish(envelope(first), 'beta');
    await publish(envelope(first), 'beta');
    await h.ingestIdle();
    expect(await rollup('beta')).toEqual([
      expect.objectContaining({ count: 2, rating_count: 2, rating_sum: 6, rating_sum_sq: 20 }),
    ]);

    const fresh = feedback({ agent_id: 'beta', explicit: { rating: 1 } });
    await publish(envelope([first[0]!, fresh, fresh]), 'beta');
    await h.ingestIdle();
    expect(await rollup('beta')).toEqual([
      expect.objectContaining({ count: 3, rating_count: 3, rating_sum: 7, rating_sum_sq: 21 }),
    ]);
    // 2 + 2 on the redelivered and republished copies, 1 old and 1 repeated in the last envelope.
    expect(await metric('metaloop_ingest_events_total', { type: 'feedback', result: 'duplicate' })).toBe(6);
  });

  it('two replicas racing over overlapping envelopes count every event exactly once, without deadlocks', async () => {
    await h.startReplica();
    // Both replicas must be pulling before the race starts.
    const { stream, config } = h.nats.topology.consumers.ingest;
    await eventually(async () =>
      expect((await h.nats.jsm.consumers.info(stream, config.durable_name!)).num_waiting).toBeGreaterThanOrEqual(2),
    );
    const agents = ['r-a', 'r-b', 'r-c'];
    const events = Array.from({ length: 300 }, (_, i) =>
      feedback({
        agent_id: agents[i % 3]!,
        revision_id: i % 2 ? 'rev' : undefined,
        timestamp: `2026-11-25T11:0${i % 4}:00.000Z`,
        explicit: { rating: 1 + (i % 5) },
        implicit: { response_time_ms: 10 * (i % 7), tokens_in: i },
        metrics: { score: i % 3 },
      }),
    );
    // Every event at least twice, in envelopes of mixed agents and shuffled order.
    const copies = [...events, ...events, ...events.filter((_, i) => i % 3 === 0)];
    const shuffled = copies
      .map((e) => [Math.random(), e] as const)
      .sort(([a], [b]) => a - b)
      .map(([, e]) => e);
    const envelopes: StoredFeedbackEvent[][] = [];
    for (let i = 0; i < shuffled.length; i += 25) envelopes.push(shuffled.slice(i, i + 25));
    await Promise.all(envelopes.map((batch) => publish(envelope(batch), 'r-a')));
    await h.ingestIdle(30_000);

    const expected = aggregateRollups(events);
    const stored = await h.query<{
      agent_id: string;
      count: number;
      rating_sum: number;
      tokens_in: string;
      latency_hist: number[];
    }>(
      `SELECT agent_id, revision_id, bucket, count, rating_sum, tokens_in, latency_hist FROM feedback_rollups
       WHERE agent_id LIKE 'r-%' ORDER BY agent_id, revision_id, bucket`,
    );
    expect(stored.map((r) => ({ ...r, tokens_in: Number(r.tokens_in) }))).toEqual(
      expected.feedback.map((r) => ({
        agent_id: r.agent_id,
        revision_id: r.revision_id,
        bucket: new Date(r.bucket),
        count: r.count,
        rating_sum: r.rating_sum,
        tokens_in: r.tokens_in,
        latency_hist: r.latency_hist,
      })),
    );
    // The hours hold exactly the minutes' sums.
    const hours = await h.query(
      `SELECT agent_id, revision_id, bucket, count, rating_sum, latency_hist FROM feedback_rollups_hourly
       WHERE agent_id LIKE 'r-%' ORDER BY agent_id, revision_id, bucket`,
    );
    expect(hours).toEqual(
      hourlyRollups(expected.feedback).map((r) => ({
        agent_id: r.agent_id,
        revision_id: r.revision_id,
        bucket: new Date(r.bucket),
        count: r.count,
        rating_sum: r.rating_sum,
        latency_hist: r.latency_hist,
      })),
    );
    const [{ sum }] = await h.query<{ sum: number }>(
      `SELECT sum(count)::int AS sum FROM metric_rollups WHERE agent_id LIKE 'r-%'`,
    );
    expect(sum).toBe(300);
    const batchesPerReplica = await Promise.all(
      h.apps.map((app) => metricValue([app], 'metaloop_ingest_batch_messages_count')),
    );
    expect(batchesPerReplica.every((batches) => batches > 0)).toBe(true);
  });

  it('concurrent transactions over overlapping events in any order neither deadlock nor double count', async () => {
    const events = Array.from({ length: 200 }, (_, i) =>
      feedback({
        agent_id: `w-${i % 4}`,
        timestamp: `2026-11-25T12:0${i % 3}:00.000Z`,
        implicit: { tokens_out: 1 },
        metrics: { m: 1 },
      }),
    );
    const writers = h.apps.map((app) => app.get(IngestWriter));
    // 24 transactions on two replicas' pools, each over a random half of the events in random order.
    const batches = Array.from({ length: 24 }, () =>
      events.filter(() => Math.random() < 0.5).sort(() => Math.random() - 0.5),
    );
    batches.push(events);
    await Promise.all(batches.map((batch, i) => writers[i % writers.length]!.write([envelope(batch)])));
    const [{ count, tokens }] = await h.query<{ count: number; tokens: number }>(
      `SELECT sum(count)::int AS count, sum(tokens_out)::int AS tokens FROM feedback_rollups WHERE agent_id LIKE 'w-%'`,
    );
    expect({ count, tokens }).toEqual({ count: 200, tokens: 200 });
    const [hourly] = await h.query(
      `SELECT sum(count)::int AS count, sum(tokens_out)::int AS tokens FROM feedback_rollups_hourly WHERE agent_id LIKE 'w-%'`,
    );
    expect(hourly).toEqual({ count: 200, tokens: 200 });
    const [{ metrics }] = await h.query<{ metrics: number }>(
      `SELECT sum(count)::int AS metrics FROM metric_rollups WHERE agent_id LIKE 'w-%'`,
    );
    expect(metrics).toBe(200);
  });

  it('dead-letters a malformed envelope at once', async () => {
    await publish('this is not json', 'gamma');
    await publish({ v: 1, type: 'feedback', events: [{ agent_id: 'gamma' }] }, 'gamma');
    const letters = await eventually(async () => {
      const found = await deadLetters();
      expect(found).toHaveLength(2);
      return found;
    });
    expect(letters.map((l) => l.header('Metaloop-Deliveries'))).toEqual(['1', '1']);
    expect(letters[0]!.header('Metaloop-Dlq-Reason')).toMatch(/^malformed: not UTF-8 JSON/);
    expect(letters[1]!.header('Metaloop-Dlq-Reason')).toMatch(/^malformed: not an envelope: events\.0\.event_id: /);
    expect(letters[0]).toMatchObject({ subject: `${h.prefix}.dlq.feedback.implicit.gamma`, data: 'this is not json' });
    expect(letters[0]!.header('Metaloop-Original-Subject')).toBe(`${h.prefix}.feedback.implicit.gamma`);
    await h.ingestIdle();
  });

  it('isolates a poison message: the rest of its batch commits, the poison is dead-lettered after max deliveries', async () => {
    const before = (await deadLetters()).length;
    const good = [feedback({ agent_id: 'delta' }), feedback({ agent_id: 'delta' })];
    // Valid JSON and a valid envelope, but Postgres refuses \u0000 in text: it fails on every delivery.
    const poison = feedback({ agent_id: 'delta', explicit: { complaint: 'nul \u0000 byte' } });
    await Promise.all(
      [publish(envelope([good[0]!])), publish(envelope([poison])), publish(envelope([good[1]!]))].map((p) => p),
    );
    await eventually(async () => expect(await deadLetters()).toHaveLength(before + 1), 15_000);
    const letter = (await deadLetters()).at(-1)!;
    expect(letter.header('Metaloop-Deliveries')).toBe('3');
    expect(letter.header('Metaloop-Dlq-Reason')).toMatch(/^failed 3 deliveries: .*Unicode/i);
    expect(JSON.parse(letter.data)).toEqual(envelope([poison]));
    await h.ingestIdle();
    const stored = await h.query<{ event_id: string }>(
      `SELECT event_id FROM feedback_events WHERE agent_id = 'delta' ORDER BY event_id`,
    );
    expect(stored.map((r) => r.event_id)).toEqual(good.map((e) => e.event_id).sort());
    expect(await rollup('delta')).toEqual([expect.objectContaining({ count: 2, complaints: 0 })]);
    expect(await metric('metaloop_ingest_dead_letters_total', { reason: 'max_deliveries' })).toBe(1);
    expect(await metric('metaloop_ingest_dead_letters_total', { reason: 'malformed' })).toBe(2);
    expect(
      await metric('metaloop_ingest_batch_duration_seconds_count', { outcome: 'isolated' }),
    ).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(await metricValue([h.apps[0]!], 'metaloop_dlq_depth')).toBe(before + 1));
    await eventually(async () => expect(await metricValue([h.apps[0]!], 'metaloop_ingest_consumer_pending')).toBe(0));
  });

  it('re-creates its consumer when it disappears and carries on', async () => {
    const { stream, config } = h.nats.topology.consumers.ingest;
    await h.nats.jsm.consumers.delete(stream, config.durable_name!);
    const event = feedback({ agent_id: 'epsilon' });
    await publish(envelope([event]));
    await eventually(
      async () =>
        expect(await h.query(`SELECT 1 FROM feedback_events WHERE event_id = $1`, [event.event_id])).toHaveLength(1),
      15_000,
    );
    const info = await h.nats.jsm.consumers.info(stream, config.durable_name!);
    expect(info.config.max_deliver).toBe(3);
  });

  it('shuts down promptly while its fetch waits, and leaves nothing unacknowledged', async () => {
    await h.ingestIdle();
    const replica = h.apps.pop()!;
    const started = Date.now();
    await replica.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    const event = feedback({ agent_id: 'zeta' });
    await publish(envelope([event]));
    await eventually(async () =>
      expect(await h.query(`SELECT 1 FROM feedback_events WHERE event_id = $1`, [event.event_id])).toHaveLength(1),
    );
    await h.ingestIdle();
  });

  async function deadLetters() {
    const name = h.nats.topology.streams.deadLetters.name;
    const letters: Array<{ subject: string; data: string; header(name: string): string | undefined }> = [];
    for (let seq = 0; ;) {
      const stored = await h.nats.jsm.streams
        .getMessage(name, { seq: seq + 1, next_by_subj: h.nats.topology.subjects.allDeadLetters } as unknown as {
          seq: number;
        })
        .catch(() => null);
      if (!stored) return letters;
      letters.push({
        subject: stored.subject,
        data: stored.string(),
        header: (n) => stored.header?.get(n) || undefined,
      });
      seq = stored.seq;
    }
  }
});
