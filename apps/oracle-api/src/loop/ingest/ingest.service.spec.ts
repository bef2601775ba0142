import { LATENCY_BUCKETS, latencyBucket } from '@metaloop/core';
import { type StoredFeedbackEvent, type StoredSystemMetric } from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { DeadLettersService } from '../../operator/dead-letters/dead-letters.service';
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
    // Small fetch batches, so two replicas share a burst (one cannot pull it all at once).
    h = await oracleHarness('ingest', {
      INGEST_MAX_DELIVER: '3',
      INGEST_FETCH_EXPIRES_MS: '20000',
      INGEST_BATCH_MAX: '4',
    });
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
    const batchesPerReplica = () =>
      Promise.all(h.apps.map((app) => metricValue([app], 'metaloop_ingest_batch_messages_count')));
    const before = await batchesPerReplica();
    // Which replica wins a pull is up to NATS: a wave that one replica took whole proves no race, so
    // another wave over the same rows follows until both replicas have written (the counts cover all waves).
    const events: StoredFeedbackEvent[] = [];
    for (let wave = 0; wave < 5; wave++) {
      const waveEvents = Array.from({ length: 300 }, (_, i) =>
        feedback({
          agent_id: agents[i % 3]!,
          revision_id: i % 2 ? 'rev' : undefined,
          timestamp: `2026-11-25T11:0${i % 4}:00.000Z`,
          explicit: { rating: 1 + (i % 5) },
          implicit: { response_time_ms: 10 * (i % 7), tokens_in: i },
          metrics: { score: i % 3 },
        }),
      );
      events.push(...waveEvents);
      // Every event at least twice, in envelopes of mixed agents and shuffled order.
      const copies = [...waveEvents, ...waveEvents, ...waveEvents.filter((_, i) => i % 3 === 0)];
      const shuffled = copies
        .map((e) => [Math.random(), e] as const)
        .sort(([a], [b]) => a - b)
        .map(([, e]) => e);
      const envelopes: StoredFeedbackEvent[][] = [];
      for (let i = 0; i < shuffled.length; i += 25) envelopes.push(shuffled.slice(i, i + 25));
      await Promise.all(envelopes.map((batch) => publish(envelope(batch), 'r-a')));
      await h.ingestIdle(30_000);
      const after = await batchesPerReplica();
      if (after.every((batches, replica) => batches > before[replica]!)) break;
    }

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
    expect(sum).toBe(events.length);
    const after = await batchesPerReplica();
    expect(after.every((batches, replica) => batches > before[replica]!)).toBe(true);
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

  it('the probe: one poisoned event per group-committed message takes no other event along; each is dead-lettered alone, with its reason', async () => {
    const before = (await deadLetters()).length;
    const malformedBefore = await metric('metaloop_ingest_dead_letters_total', { reason: 'malformed' });
    // Past Postgres' timestamptz range: the contract takes it, Postgres refuses it (SQLSTATE class 22).
    const beyondPostgres = 8.64e15;
    const poisons: Array<Record<string, unknown>> = [
      { explicit: { comment: 'a\u0000b' } },
      { context: { k: 'v\u0000' } },
      { context: { ['lone \uD800']: 1 } },
      { timestamp: beyondPostgres },
      { tags: ['ok', 'nul\u0000'] },
      { timestamp: beyondPostgres, explicit: { rating: 1 } },
    ];
    const clean: StoredFeedbackEvent[] = [];
    const poisoned: Array<Record<string, unknown>> = [];
    const messages = poisons.map((poison, m) => {
      const events: Array<Record<string, unknown>> = Array.from({ length: 40 }, (_, i) =>
        feedback({ agent_id: 'probe', explicit: { rating: 1 + (i % 5) }, implicit: { response_time_ms: m + i } }),
      );
      clean.push(...(events as unknown as StoredFeedbackEvent[]));
      const bad = { ...feedback({ agent_id: 'probe' }), ...poison };
      poisoned.push(bad);
      events.splice(m * 7, 0, bad);
      return envelope(events as unknown as StoredFeedbackEvent[]);
    });
    // A system metric message poisoned the same ways.
    const metricsClean = Array.from({ length: 20 }, (_, i) => ({
      event_id: `probe-metric-${seq}-${i}`,
      source: 'probe',
      name: 'depth',
      value: i,
      received_at: MINUTE,
    }));
    const metricsPoisoned = [
      { ...metricsClean[0]!, event_id: `probe-metric-${seq}-nul`, labels: { region: 'eu\u0000' } },
      { ...metricsClean[0]!, event_id: `probe-metric-${seq}-far`, timestamp: beyondPostgres },
    ];
    const systemMessage = {
      v: 1,
      type: 'system',
      events: [...metricsClean.slice(0, 10), ...metricsPoisoned, ...metricsClean.slice(10)],
    };
    // And a message with nothing storable in it goes as it came, whole.
    const allPoison = envelope([
      { ...feedback({ agent_id: 'probe' }), timestamp: beyondPostgres } as unknown as StoredFeedbackEvent,
    ]);

    await Promise.all([
      ...messages.map((body, m) => publish(body, 'probe', m % 2 ? 'explicit' : 'implicit')),
      h.nats.js.publish(h.nats.topology.subjects.system('probe'), JSON.stringify(systemMessage)),
      publish(allPoison, 'probe'),
    ]);
    const expectedLetters = poisoned.length + metricsPoisoned.length + 1;
    await eventually(async () => expect(await deadLetters()).toHaveLength(before + expectedLetters), 20_000);
    await h.ingestIdle();

    // 0 clean events lost, none counted twice.
    const stored = await h.query<{ event_id: string }>(`SELECT event_id FROM feedback_events WHERE agent_id = 'probe'`);
    expect(stored.map((r) => r.event_id).sort()).toEqual(clean.map((e) => e.event_id).sort());
    const [{ count }] = await h.query<{ count: number }>(
      `SELECT sum(count)::int AS count FROM feedback_rollups WHERE agent_id = 'probe'`,
    );
    expect(count).toBe(clean.length);
    const metricsStored = await h.query(`SELECT 1 FROM system_metrics WHERE source = 'probe'`);
    expect(metricsStored).toHaveLength(metricsClean.length);

    // Exactly the poisoned events are dead-lettered, one by one, each saying why.
    const letters = (await deadLetters()).slice(before);
    const lettered = letters.map((letter) => ({
      events: (JSON.parse(letter.data) as { events: Array<{ event_id: string }> }).events.map((e) => e.event_id),
      reason: letter.header('Metaloop-Dlq-Reason')!,
      deliveries: letter.header('Metaloop-Deliveries'),
    }));
    const reasonOf = (eventId: string) => lettered.find((l) => l.events.includes(eventId))?.reason;
    expect(lettered.every((l) => l.events.length === 1 && l.deliveries === '1')).toBe(true);
    expect(lettered.map((l) => l.events[0]).sort()).toEqual(
      [...poisoned, ...metricsPoisoned, allPoison.events[0]!].map((e) => e['event_id'] as string).sort(),
    );
    expect(reasonOf(poisoned[0]!['event_id'] as string)).toMatch(
      /^malformed: not an envelope: events\.0\.explicit\.comment: must not contain NUL/,
    );
    expect(reasonOf(poisoned[1]!['event_id'] as string)).toMatch(/^malformed: .*events\.7\.context\.k: /);
    expect(reasonOf(poisoned[2]!['event_id'] as string)).toMatch(/^malformed: .*unpaired surrogates/);
    expect(reasonOf(poisoned[3]!['event_id'] as string)).toMatch(/^unstorable: .*\(SQLSTATE 22/);
    expect(reasonOf(poisoned[4]!['event_id'] as string)).toMatch(/^malformed: .*events\.28\.tags\.1: /);
    expect(reasonOf(metricsPoisoned[0]!.event_id)).toMatch(/^malformed: .*events\.10\.labels\.region: /);
    expect(reasonOf(metricsPoisoned[1]!.event_id)).toMatch(/^unstorable: .*\(SQLSTATE 22/);
    expect(reasonOf(allPoison.events[0]!.event_id)).toMatch(/^unstorable: /);
    expect(letters.every((l) => l.subject.startsWith(`${h.prefix}.dlq.feedback.`))).toBe(true);
    expect((await metric('metaloop_ingest_dead_letters_total', { reason: 'malformed' })) - malformedBefore).toBe(5);
    expect(await metric('metaloop_ingest_dead_letters_total', { reason: 'unstorable' })).toBe(4);
    expect(
      await metric('metaloop_ingest_batch_duration_seconds_count', { outcome: 'isolated' }),
    ).toBeGreaterThanOrEqual(1);

    // Replayed, they fail again and say why again; nothing clean is counted twice.
    const replay = await h.apps[0]!.get(DeadLettersService).replay({ all: true });
    expect(replay.failed).toEqual([]);
    await eventually(async () => {
      const again = (await deadLetters()).slice(before);
      expect(again).toHaveLength(expectedLetters);
      expect(
        again.every((l) =>
          /^failed again after replay of dead letter \d+: (malformed|unstorable): /.test(
            l.header('Metaloop-Dlq-Reason')!,
          ),
        ),
      ).toBe(true);
    }, 20_000);
    await h.ingestIdle();
    const [{ again }] = await h.query<{ again: number }>(
      `SELECT sum(count)::int AS again FROM feedback_rollups WHERE agent_id = 'probe'`,
    );
    expect(again).toBe(clean.length);
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
