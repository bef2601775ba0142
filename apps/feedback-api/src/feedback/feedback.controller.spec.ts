import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connectJetStream, type JetStreamContext } from '@metaloop/messaging';
import { natsTopology } from '@metaloop/contracts';
import { eventually, isolationId, scratchSchema, testEnv, withClient, type ScratchSchema } from '@metaloop/testing';
import { startApp } from '@metaloop/platform';

/** The example body of seed 004, verbatim. */
const seedExample = {
  agent_id: 'helpful_assistant',
  session_id: 'user_123_session',
  explicit: { rating: 4.5, helpful: true },
  implicit: { response_time_ms: 250, success_rate: 0.95 },
};

describe('feedback-api ingestion (real NATS, Redis, Postgres)', () => {
  let schema: ScratchSchema;
  let app: NestFastifyApplication;
  let replica: NestFastifyApplication;
  let nats: JetStreamContext;
  const prefix = isolationId('feedback');
  const topology = natsTopology({ prefix });

  beforeAll(async () => {
    schema = await scratchSchema('feedback');
    const env = {
      DATABASE_URL: schema.url,
      NATS_URL: testEnv.TEST_NATS_URL,
      NATS_PREFIX: prefix,
      REDIS_URL: testEnv.TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      METRIC_DEFINITIONS_REFRESH_MS: '60000',
    };
    const load = () => import('../app.definition.js').then((m) => m.feedbackApi);
    app = await startApp(load, env);
    replica = await startApp(load, env);
    nats = await connectJetStream({ servers: testEnv.TEST_NATS_URL, name: 'feedback-spec', prefix });
    await withClient((client) =>
      client.query(
        `INSERT INTO "${schema.schema}".metric_definitions (name, type, level, optimize) VALUES ('resolved', 'boolean', 'episode', 'max'), ('csat', 'float', 'inference', 'max')`,
      ),
    );
    // What oracle-api announces after a definition changes.
    nats.nc.publish(topology.subjects.metricsChanged, JSON.stringify({ name: 'resolved' }));
  });

  afterAll(async () => {
    await Promise.all([app?.close(), replica?.close()]);
    for (const stream of Object.values(topology.streams))
      await nats.jsm.streams.delete(stream.name).catch(() => undefined);
    await nats?.nc.close();
    await schema?.drop();
  });

  const post = (target: NestFastifyApplication, url: string, body: unknown) =>
    target.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  /** Every event in the stream, with the subject and message sequence that carried it. */
  async function streamEvents(): Promise<
    Array<{ subject: string; seq: number; type: string; event: Record<string, unknown> }>
  > {
    const info = await nats.jsm.streams.info(topology.streams.feedback.name);
    const found = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const message = await nats.jsm.streams.getMessage(topology.streams.feedback.name, { seq });
      if (!message) continue;
      const envelope = message.json<{ type: string; events: Array<Record<string, unknown>> }>();
      for (const event of envelope.events) found.push({ subject: message.subject, seq, type: envelope.type, event });
    }
    return found;
  }

  it('accepts the seed 004 example verbatim, after the JetStream ack, with a server UUIDv7', async () => {
    const response = await post(app, '/api/v1/feedback/collect', seedExample);
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      status: 'accepted',
      duplicate: false,
    });
    const stored = (await streamEvents()).find((e) => e.event['event_id'] === body.event_id);
    expect(stored).toMatchObject({
      subject: `${prefix}.feedback.explicit.helpful_assistant`,
      type: 'feedback',
      event: { ...seedExample, kind: 'explicit', received_at: expect.any(String) },
    });
  });

  it('routes implicit-only feedback and system metrics to their subjects', async () => {
    const implicit = (
      await post(app, '/api/v1/feedback/collect', { agent_id: 'agent_b', session_id: 's', implicit: { success: true } })
    ).json();
    const system = await post(app, '/api/v1/feedback/system/metric', {
      source: 'gateway',
      name: 'queue_depth',
      value: 7,
      unit: 'jobs',
    });
    expect(system.statusCode).toBe(202);
    const events = await streamEvents();
    expect(events.find((e) => e.event['event_id'] === implicit.event_id)?.subject).toBe(
      `${prefix}.feedback.implicit.agent_b`,
    );
    expect(events.find((e) => e.event['event_id'] === system.json().event_id)).toMatchObject({
      subject: `${prefix}.feedback.system.gateway`,
      type: 'system',
      event: { source: 'gateway', name: 'queue_depth', value: 7 },
    });
  });

  it('answers a retried event_id as a duplicate, on any replica, and sends it once', async () => {
    const event = { event_id: `retry-${prefix}`, agent_id: 'agent_c', session_id: 's', implicit: { success: false } };
    const first = await post(app, '/api/v1/feedback/collect', event);
    const again = await post(app, '/api/v1/feedback/collect', event);
    const otherReplica = await post(replica, '/api/v1/feedback/collect', event);
    expect([first, again, otherReplica].map((r) => r.statusCode)).toEqual([202, 202, 202]);
    expect([first, again, otherReplica].map((r) => r.json().duplicate)).toEqual([false, true, true]);
    expect((await streamEvents()).filter((e) => e.event['event_id'] === event.event_id)).toHaveLength(1);
  });

  it('sends concurrent submissions of one event_id once', async () => {
    const event = { event_id: `race-${prefix}`, agent_id: 'agent_c', session_id: 's' };
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(app, '/api/v1/feedback/collect', event)));
    expect(responses.map((r) => r.json().duplicate).filter((d) => !d)).toHaveLength(1);
    expect((await streamEvents()).filter((e) => e.event['event_id'] === event.event_id)).toHaveLength(1);
  });

  it('group-commits concurrent requests into shared messages, every event exactly once', async () => {
    const before = (await nats.jsm.streams.info(topology.streams.feedback.name)).state.messages;
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(app, '/api/v1/feedback/collect', { agent_id: 'agent_gc', session_id: `s${i}` }),
      ),
    );
    expect(responses.every((r) => r.statusCode === 202)).toBe(true);
    const ids = new Set(responses.map((r) => r.json().event_id));
    const after = (await nats.jsm.streams.info(topology.streams.feedback.name)).state.messages;
    expect(after - before).toBeLessThan(200);
    const stored = (await streamEvents()).filter((e) => ids.has(e.event['event_id']));
    expect(stored).toHaveLength(200);
  });

  it('answers bulk requests per event: accepted, duplicate or rejected with field paths', async () => {
    const response = await post(app, '/api/v1/feedback/collect/bulk', {
      events: [
        { agent_id: 'agent_d', session_id: 's', explicit: { rating: 5 } },
        { agent_id: 'agent_d', session_id: 's', explicit: { rating: 9 } },
        { event_id: `retry-${prefix}`, agent_id: 'agent_c', session_id: 's' },
        { event_id: `bulk-${prefix}`, agent_id: 'agent_d', session_id: 's' },
        { event_id: `bulk-${prefix}`, agent_id: 'agent_d', session_id: 's' },
        'not an object',
      ],
    });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 2, rejected: 2 });
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'rejected',
      'duplicate',
      'accepted',
      'duplicate',
      'rejected',
    ]);
    expect(body.results[1].errors).toEqual([
      expect.objectContaining({ path: 'explicit.rating', pointer: '/explicit/rating' }),
    ]);
  });

  it.each([
    ['no events', { events: [] }],
    ['more than 1000 events', { events: Array.from({ length: 1001 }, () => ({ agent_id: 'a', session_id: 's' })) }],
    ['no events field', {}],
  ])('rejects a bulk request with %s as a whole', async (_case, body) => {
    const response = await post(app, '/api/v1/feedback/collect/bulk', body);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toMatch(/^events$|^$/);
  });

  it('validates metrics against the metric definitions', async () => {
    await eventually(async () => {
      const ok = await post(app, '/api/v1/feedback/collect', {
        agent_id: 'agent_e',
        session_id: 's',
        metrics: { resolved: true, csat: 0.8 },
      });
      expect(ok.statusCode).toBe(202);
    });
    const unknown = await post(app, '/api/v1/feedback/collect', {
      agent_id: 'agent_e',
      session_id: 's',
      metrics: { nps: 3 },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([
      expect.objectContaining({ path: 'metrics.nps', message: expect.stringMatching(/unknown metric/) }),
    ]);
    const wrongType = await post(app, '/api/v1/feedback/collect', {
      agent_id: 'agent_e',
      session_id: 's',
      metrics: { resolved: 1, csat: true },
    });
    expect(
      wrongType
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['metrics.csat', 'metrics.resolved']);
  });

  it('knows a metric defined after start without waiting for the refresh', async () => {
    await withClient((client) =>
      client.query(
        `INSERT INTO "${schema.schema}".metric_definitions (name, type, level, optimize) VALUES ('latency_ok', 'boolean', 'inference', 'max')`,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const response = await post(app, '/api/v1/feedback/collect', {
      agent_id: 'agent_e',
      session_id: 's',
      metrics: { latency_ok: true },
    });
    expect(response.statusCode).toBe(202);
  });

  it('rejects timestamps far in the future', async () => {
    const response = await post(app, '/api/v1/feedback/collect', { ...seedExample, timestamp: Date.now() + 3_600_000 });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('timestamp');
  });

  it('counts events by kind, agent and result in /metrics, agents not registered under one label', async () => {
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /metaloop_feedback_events_total\{kind="explicit",agent_id="\(unregistered\)",result="accepted",app="feedback-api"\} \d+/,
    );
    expect(metrics).toMatch(
      /metaloop_feedback_events_total\{kind="implicit",agent_id="\(unregistered\)",result="duplicate",app="feedback-api"\} \d+/,
    );
    expect(metrics).not.toContain('agent_id="helpful_assistant"');
    expect(metrics).toMatch(/metaloop_feedback_batch_events_count\{app="feedback-api",type="feedback"\} \d+/);
  });
});
