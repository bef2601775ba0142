import type { StoredFeedbackEvent } from '@metaloop/contracts';
import { startFakeServer, type FakeServer } from '@metaloop/testing';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { ExamplesService } from './examples.service';

let seq = 0;
const event = (fields: Partial<StoredFeedbackEvent>): StoredFeedbackEvent => ({
  event_id: `evt-${++seq}`,
  kind: 'explicit',
  agent_id: 'omega',
  session_id: 's1',
  received_at: new Date(Date.UTC(2026, 10, 25, 10, 0, seq)).toISOString(),
  ...fields,
});

describe('example store while the configured embedder fails (real NATS and Postgres)', () => {
  let h: OracleHarness;
  let embeddings: FakeServer;

  beforeAll(async () => {
    embeddings = await startFakeServer((_, response) => response.writeHead(503).end('overloaded'));
    h = await oracleHarness('examples_embedder_outage', {
      EXAMPLES_EMBEDDER_URL: `${embeddings.url}/v1`,
      EXAMPLES_EMBEDDER_MODEL: 'test-embed',
    });
  });
  afterAll(async () => {
    await h?.dispose();
    await embeddings?.close();
  });

  it('still stores every event, counts the failure, and still demotes', async () => {
    await h.query(
      `INSERT INTO examples (id, agent_id, event_id, session_id, source, input, output, quality, content_hash, embedding, embedder, updated_at)
       VALUES (gen_random_uuid(), 'omega', 'old', 's1', 'feedback', 'q0', 'a0', 1, 'h0', '{1}', 'openai:test-embed', now())`,
    );
    const events = [
      event({ explicit: { rating: 5 }, artifacts: { input: 'q1', output: 'a1' } }),
      event({ explicit: { complaint: 'wrong' } }),
    ];
    await h.nats.js.publish(
      h.nats.topology.subjects.feedback('explicit', 'omega'),
      JSON.stringify({ v: 1, type: 'feedback', events }),
    );
    await h.ingestIdle();
    await h.apps[0]!.get(ExamplesService).idle();
    const stored = await h.query(`SELECT event_id FROM feedback_events WHERE agent_id = 'omega'`);
    expect(stored).toHaveLength(2);
    expect(embeddings.received.map((r) => [r.method, r.path])).toEqual([['POST', '/v1/embeddings']]);
    expect(await metricValue(h.apps, 'metaloop_examples_failures_total', { stage: 'embed' })).toBe(1);
    const rows = await h.query<{ input: string; demote_reason: string | null }>(
      `SELECT input, demote_reason FROM examples WHERE agent_id = 'omega'`,
    );
    expect(rows).toEqual([{ input: 'q0', demote_reason: 'complaint' }]);
  });
});
