import type { StoredFeedbackEvent } from '@metaloop/contracts';
import { eventually, startNatsServer, type TestNatsServer } from '@metaloop/testing';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

let n = 0;
const event = (agent: string): StoredFeedbackEvent => ({
  event_id: `dlq-evt-${++n}`,
  kind: 'implicit',
  agent_id: agent,
  session_id: 's',
  received_at: '2026-11-25T10:00:00.000Z',
  implicit: { success: true },
});

describe('dead letters over REST (own nats-server, so it can be stopped)', () => {
  let server: TestNatsServer;
  let h: OracleHarness;

  beforeAll(async () => {
    server = await startNatsServer();
    h = await oracleHarness('dlq', { NATS_URL: server.url, INGEST_MAX_DELIVER: '2' });
    // A bug in the database stands in for the poison: it rejects one agent until it is "fixed".
    await h.query(`CREATE FUNCTION reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.agent_id = 'poison' THEN RAISE EXCEPTION 'poison agent rejected'; END IF; RETURN NEW; END $$`);
    await h.query(
      `CREATE TRIGGER reject_poison BEFORE INSERT ON feedback_events FOR EACH ROW EXECUTE FUNCTION reject_poison()`,
    );
  });

  afterAll(async () => {
    await h?.dispose();
    await server?.dispose();
  });

  const http = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    h.apps[0]!.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
  const list = async (query = '') => {
    const response = await http('GET', `/api/v1/oracle/dlq${query}`);
    expect(response.statusCode).toBe(200);
    return response.json() as {
      items: Array<Record<string, unknown> & { seq: number }>;
      next_after_seq: number | null;
    };
  };
  const publish = (agent: string, body: unknown) =>
    h.nats.js.publish(
      h.nats.topology.subjects.feedback('implicit', agent),
      typeof body === 'string' ? body : JSON.stringify(body),
    );
  const storedEvents = async (agent: string) =>
    (await h.query(`SELECT event_id FROM feedback_events WHERE agent_id = $1`, [agent])).length;

  it('lists a poison message with its reason after max deliveries, and once fixed replays it into the store', async () => {
    const poison = [event('poison'), event('poison')];
    const ack = await publish('poison', { v: 1, type: 'feedback', events: poison });
    await publish('fine', { v: 1, type: 'feedback', events: [event('fine')] });
    const { items } = await eventually(async () => {
      const page = await list();
      expect(page.items).toHaveLength(1);
      return page;
    }, 15_000);
    expect(items[0]).toEqual({
      seq: expect.any(Number),
      subject: `${h.prefix}.dlq.feedback.implicit.poison`,
      original_subject: `${h.prefix}.feedback.implicit.poison`,
      original_seq: ack.seq,
      reason: expect.stringMatching(/^failed 2 deliveries: .*poison agent rejected/),
      deliveries: 2,
      failed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      events: 2,
      size: expect.any(Number),
      replay_of: null,
    });
    expect(await storedEvents('fine')).toBe(1);

    await h.query(`DROP TRIGGER reject_poison ON feedback_events`);
    const seq = items[0]!.seq;
    const replay = await http('POST', '/api/v1/oracle/dlq/replay', { seqs: [seq, 999_999] });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ replayed: [seq], failed: [{ seq: 999_999, error: 'no such dead letter' }] });
    await eventually(async () => expect(await storedEvents('poison')).toBe(2));
    expect((await list()).items).toEqual([]);
  });

  it('pages by stream sequence, and replays all that is there now exactly once', async () => {
    for (const body of ['junk-1', 'junk-2', 'junk-3']) await publish('junk', body);
    const all = await eventually(async () => {
      const page = await list();
      expect(page.items).toHaveLength(3);
      return page.items;
    });
    expect(all.map((item) => [item['reason'], item['deliveries'], item['events']])).toEqual(
      Array.from({ length: 3 }, () => [expect.stringMatching(/^malformed: not UTF-8 JSON/), 1, null]),
    );
    const first = await list('?limit=2');
    expect(first).toEqual({ items: all.slice(0, 2), next_after_seq: all[1]!.seq });
    expect(await list(`?limit=2&after_seq=${first.next_after_seq}`)).toEqual({
      items: all.slice(2),
      next_after_seq: null,
    });

    // Still malformed: each comes back as a new dead letter, and is not replayed again in this call.
    const replay = await http('POST', '/api/v1/oracle/dlq/replay', { all: true });
    expect(replay.json()).toEqual({ replayed: all.map((item) => item.seq), failed: [] });
    const again = await eventually(async () => {
      const page = await list();
      expect(page.items).toHaveLength(3);
      return page.items;
    });
    expect(Math.min(...again.map((item) => item.seq))).toBeGreaterThan(all[2]!.seq);
    // Each says why it failed again, and which dead letter it was replayed from.
    expect(again.map((item) => [item['replay_of'], item['reason']])).toEqual(
      all.map((item) => [
        item.seq,
        expect.stringMatching(
          new RegExp(`^failed again after replay of dead letter ${item.seq}: malformed: not UTF-8 JSON`),
        ),
      ]),
    );
  });

  it.each([
    ['GET', '/api/v1/oracle/dlq?limit=0', undefined, 'limit'],
    ['GET', '/api/v1/oracle/dlq?limit=many', undefined, 'limit'],
    ['GET', '/api/v1/oracle/dlq?after_seq=-1', undefined, 'after_seq'],
    ['POST', '/api/v1/oracle/dlq/replay', {}, ''],
    ['POST', '/api/v1/oracle/dlq/replay', { seqs: [] }, 'seqs'],
    ['POST', '/api/v1/oracle/dlq/replay', { seqs: ['a'] }, 'seqs.0'],
    ['POST', '/api/v1/oracle/dlq/replay', { seqs: [1], all: true }, ''],
    ['POST', '/api/v1/oracle/dlq/replay', { all: false }, 'all'],
  ] as const)('answers %s %s %j with a 400 problem naming "%s"', async (method, url, body, path) => {
    const response = await http(method, url, body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('answers 503 while NATS is down, and ingest carries on by itself once it is back', async () => {
    await server.kill();
    const down = await eventually(async () => {
      const response = await http('GET', '/api/v1/oracle/dlq');
      expect(response.statusCode).toBe(503);
      return response;
    });
    expect(down.headers['retry-after']).toBe('2');
    expect(down.json()).toMatchObject({ status: 503, detail: expect.stringMatching(/^NATS is unavailable/) });
    expect((await http('POST', '/api/v1/oracle/dlq/replay', { all: true })).statusCode).toBe(503);

    await server.start();
    await eventually(async () => expect((await http('GET', '/api/v1/oracle/dlq')).statusCode).toBe(200), 15_000);
    await eventually(
      () => publish('after-outage', { v: 1, type: 'feedback', events: [event('after-outage')] }),
      10_000,
    );
    await eventually(async () => expect(await storedEvents('after-outage')).toBe(1), 15_000);
  });
});
