import { bulkAnswer, eventIds, json, localServer, type LocalServer } from './__tests__/http-server';
import { MetaloopClient } from './client';
import type { MetaloopError } from './errors';
import type { FeedbackEvent } from './wire';

const event = (i: number): FeedbackEvent => ({
  agent_id: 'agent',
  session_id: `s-${i}`,
  implicit: { success: i % 2 === 0 },
});

/** Polls until `check` passes (no sleeps of fixed length, no timed assertions). */
async function until(check: () => void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('feedback through collect/bulk (against a real HTTP server in this process)', () => {
  let server: LocalServer;
  let seen: Set<string>;
  const clients: MetaloopClient[] = [];
  const errors: MetaloopError[] = [];

  const client = (feedback: ConstructorParameters<typeof MetaloopClient>[0]['feedback'] = {}) => {
    const made = new MetaloopClient({
      baseUrl: server.url,
      feedback: { backoff: { baseMs: 5, maxMs: 50 }, ...feedback },
      onError: (error) => errors.push(error),
    });
    clients.push(made);
    return made;
  };

  beforeEach(async () => {
    seen = new Set();
    errors.length = 0;
    server = await localServer((request, res) => json(res, 202, bulkAnswer(request.body, seen)));
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close(1_000)));
    await server.close();
  });

  it('sends full batches at once and the rest on flush, each event with a UUIDv7 event_id', async () => {
    const sdk = client({ maxBatchSize: 500, lingerMs: 60_000 });
    const ids = Array.from({ length: 1_200 }, (_, i) => sdk.feedback(event(i)));
    expect(await sdk.flush()).toBe(true);
    expect(server.received.map((r) => eventIds(r).length)).toEqual([500, 500, 200]);
    expect(server.received.every((r) => r.path === '/api/v1/feedback/collect/bulk')).toBe(true);
    expect(server.received.flatMap(eventIds)).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
    expect(sdk.stats()).toMatchObject({ enqueued: 1_200, sent: 1_200, batches: 3, dropped: 0, buffered: 0 });
  });

  it('keeps an event_id the agent gave', async () => {
    const sdk = client();
    expect(sdk.feedback({ ...event(1), event_id: 'mine-1' })).toBe('mine-1');
    await sdk.flush();
    expect(eventIds(server.received[0]!)).toEqual(['mine-1']);
  });

  it('sends a batch that is not full once its linger has passed, without flush', async () => {
    const sdk = client({ maxBatchSize: 500, lingerMs: 20 });
    sdk.feedback(event(1));
    sdk.feedback(event(2));
    sdk.feedback(event(3));
    await until(() => expect(sdk.stats().sent).toBe(3));
    expect(server.received).toHaveLength(1);
  });

  it('retries a 503 with the same event_ids, not sooner than Retry-After, and counts them once', async () => {
    let failures = 2;
    server.handle((request, res) => {
      if (failures-- > 0) return json(res, 503, { title: 'NATS down' }, { 'retry-after': '1' });
      json(res, 202, bulkAnswer(request.body, seen));
    });
    const sdk = client({ maxBatchSize: 10 });
    const ids = Array.from({ length: 10 }, (_, i) => sdk.feedback(event(i)));
    const started = Date.now();
    await until(() => expect(sdk.stats().sent).toBe(10));
    expect(server.received.map(eventIds)).toEqual([ids, ids, ids]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000 - 50); // two Retry-After: 1 waits, a lower bound
    expect(sdk.stats()).toMatchObject({ sent: 10, retried: 20, duplicates: 0, dropped: 0 });
  });

  it('retries a request whose connection was cut after it was read: the server has each event once', async () => {
    let cut = true;
    server.handle((request, res) => {
      const answer = bulkAnswer(request.body, seen); // stored…
      if (cut) {
        cut = false;
        res.socket?.destroy(); // …but the answer is lost
        return;
      }
      json(res, 202, answer);
    });
    const sdk = client({ maxBatchSize: 5 });
    const ids = Array.from({ length: 5 }, (_, i) => sdk.feedback(event(i)));
    await until(() => expect(sdk.stats().sent).toBe(5));
    expect(server.received.map(eventIds)).toEqual([ids, ids]);
    expect(seen.size).toBe(5);
    expect(sdk.stats()).toMatchObject({ sent: 5, duplicates: 5, retried: 5, dropped: 0 });
  });

  it('drops a rejected item with a counter and the hook, and never retries it', async () => {
    server.handle((request, res) => json(res, 202, bulkAnswer(request.body, seen, [1])));
    const sdk = client({ maxBatchSize: 3 });
    const ids = [0, 1, 2].map((i) => sdk.feedback(event(i)));
    await sdk.flush();
    expect(server.received).toHaveLength(1);
    expect(sdk.stats()).toMatchObject({ sent: 2, rejected: 1, dropped: 1, retried: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'rejected', errors: [{ path: 'agent_id' }] });
    expect(errors[0]!.events!.map((e) => e.event_id)).toEqual([ids[1]]);
  });

  it('drops a batch refused as a whole (4xx) without retrying it', async () => {
    server.handle((_request, res) => json(res, 400, { title: 'bad request', detail: 'events: too many' }));
    const sdk = client({ maxBatchSize: 4 });
    for (let i = 0; i < 4; i++) sdk.feedback(event(i));
    await sdk.flush();
    expect(server.received).toHaveLength(1);
    expect(sdk.stats()).toMatchObject({ sent: 0, rejected: 4, dropped: 4, retried: 0 });
    expect(errors[0]).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('halves the batch after a 413 and sends everything', async () => {
    server.handle((request, res) => {
      if (eventIds(request).length > 2) return json(res, 413, { title: 'too large' });
      json(res, 202, bulkAnswer(request.body, seen));
    });
    const sdk = client({ maxBatchSize: 8, lingerMs: 60_000 });
    for (let i = 0; i < 8; i++) sdk.feedback(event(i));
    expect(await sdk.flush()).toBe(true);
    expect(sdk.stats()).toMatchObject({ sent: 8, dropped: 0 });
    expect(seen.size).toBe(8);
  });

  it('never holds more than maxBufferSize events while feedback-api is down, dropping the oldest, then recovers', async () => {
    let down = true;
    server.handle((request, res) => {
      if (down) return json(res, 503, { title: 'down' });
      json(res, 202, bulkAnswer(request.body, seen));
    });
    const sdk = client({ maxBatchSize: 50, maxBufferSize: 100, maxConcurrency: 2 });
    const ids: string[] = [];
    let mostHeld = 0;
    for (let i = 0; i < 1_000; i++) {
      ids.push(sdk.feedback(event(i)));
      const { buffered, inFlight } = sdk.stats();
      mostHeld = Math.max(mostHeld, buffered + inFlight);
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(mostHeld).toBeLessThanOrEqual(100 + 2 * 50);
    expect(sdk.stats().buffered).toBeLessThanOrEqual(100);
    expect(sdk.stats().overflow).toBeGreaterThanOrEqual(800);
    expect(errors.some((e) => e.kind === 'overflow')).toBe(true);
    down = false;
    expect(await sdk.flush()).toBe(true);
    const stats = sdk.stats();
    expect(stats.sent + stats.overflow).toBe(1_000);
    expect(stats.dropped).toBe(stats.overflow);
    expect(seen.has(ids.at(-1)!)).toBe(true); // the newest are kept
    expect(seen.has(ids[0]!)).toBe(false); // the oldest went
    expect(stats.retried).toBeGreaterThan(0);
  });

  it('close() flushes, then drops and counts what is sent after it', async () => {
    const sdk = client();
    sdk.feedback(event(1));
    expect(await sdk.close()).toBe(true);
    expect(sdk.stats().sent).toBe(1);
    sdk.feedback(event(2));
    expect(sdk.stats()).toMatchObject({ enqueued: 2, sent: 1, closed: 1, dropped: 1 });
    expect(errors.at(-1)).toMatchObject({ kind: 'closed' });
  });

  it('close() gives up after its timeout while feedback-api stays down, counting what it drops', async () => {
    server.handle((_request, res) => json(res, 503, {}, { 'retry-after': '60' }));
    const sdk = client();
    for (let i = 0; i < 3; i++) sdk.feedback(event(i));
    expect(await sdk.close(300)).toBe(false);
    expect(sdk.stats()).toMatchObject({ sent: 0, closed: 3, dropped: 3, buffered: 0 });
  });

  it('sends system metrics, retrying a 503', async () => {
    let failures = 1;
    server.handle((request, res) => {
      if (failures-- > 0) return json(res, 503, {});
      json(res, 202, { event_id: 'x', status: 'accepted', duplicate: false });
    });
    const sdk = client();
    sdk.systemMetric({ source: 'agent-host', name: 'gpu_util', value: 0.7, unit: 'ratio' });
    expect(await sdk.flush()).toBe(true);
    expect(server.received.map((r) => r.path)).toEqual([
      '/api/v1/feedback/system/metric',
      '/api/v1/feedback/system/metric',
    ]);
    expect(server.received[1]!.body).toEqual({ source: 'agent-host', name: 'gpu_util', value: 0.7, unit: 'ratio' });
    expect(sdk.stats()).toMatchObject({ metricsSent: 1, metricsDropped: 0 });
  });

  it('sends the API key', async () => {
    const sdk = new MetaloopClient({ baseUrl: server.url, apiKey: 'mk_test' });
    clients.push(sdk);
    sdk.feedback(event(1));
    await sdk.flush();
    expect(server.received[0]!.headers.authorization).toBe('Bearer mk_test');
  });
});
