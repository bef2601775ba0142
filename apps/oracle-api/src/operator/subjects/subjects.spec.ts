import { EXAMPLES_CHANGED, prefixSubject, type StoredFeedbackEvent, type SubjectExport } from '@metaloop/contracts';
import { eventually, withClient } from '@metaloop/testing';
import type { Subscription } from '@nats-io/transport-node';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { LOCK_FOR_ERASURE } from '../../loop/examples/examples.sql';
import { ExamplesService } from '../../loop/examples/examples.service';
import { MemoryService } from '../../loop/memory/memory.service';

let seq = 0;
const event = (fields: Partial<StoredFeedbackEvent>): StoredFeedbackEvent => ({
  event_id: `subj-${++seq}`,
  kind: 'explicit',
  agent_id: 'helper',
  session_id: 's1',
  received_at: new Date(Date.UTC(2026, 11, 7, 10, 0, seq)).toISOString(),
  ...fields,
});
const pick = (subject: string, input: string, options: string[], selected: number, extra: object = {}) =>
  event({
    subject_id: subject,
    artifacts: { input, output: 'an answer' },
    context: { framework: 'fastapi', email: 'someone@example.com' },
    explicit: {
      rating: 4,
      selection: {
        options: options.map((text, i) => ({ id: `h${i + 1}`, text, confidence: 0.8 })),
        selected_id: `h${selected + 1}`,
      },
      ...extra,
    },
  });

describe('operator subjects: export, erasure, training logs as JSONL (real NATS and Postgres)', () => {
  let h: OracleHarness;
  let events: StoredFeedbackEvent[];
  let changed: Subscription;
  const announced: string[] = [];
  const app = () => h.apps[0]!;
  const publish = async (batch: StoredFeedbackEvent[]) => {
    await h.nats.js.publish(
      h.nats.topology.subjects.feedback('explicit', 'helper'),
      JSON.stringify({ v: 1, type: 'feedback', events: batch }),
    );
    await h.ingestIdle();
    await app().get(MemoryService).idle();
    await app().get(ExamplesService).idle();
  };
  const examples = () =>
    h.query<{ event_id: string; input: string; output: string }>(
      `SELECT event_id, input, output FROM examples ORDER BY input`,
    );

  beforeAll(async () => {
    h = await oracleHarness('operator_subjects');
    changed = h.nats.nc.subscribe(prefixSubject(h.prefix, EXAMPLES_CHANGED), {
      callback: (_, msg) => void announced.push(msg.string()),
    });
    events = [
      pick('alice', 'build api', ['Do you want to build a REST API?', 'Design endpoints?'], 0),
      pick('alice', 'deploy', ['Deploy to AWS?', 'Do you want to containerize with Docker?'], 1, {
        complaint: 'my boss Bob hates this',
        comment: 'call me at 555',
        correction: 'use podman',
      }),
      pick('bob', 'test', ['Do you want to write unit tests with Jest?'], 0),
    ];
    await publish(events);
  });
  afterAll(async () => {
    changed?.unsubscribe();
    await h?.dispose();
  });

  it('exports everything kept about a subject, the logs in seed 002’s format', async () => {
    const response = await app().inject({ method: 'GET', url: '/api/v1/subjects/alice' });
    expect(response.statusCode).toBe(200);
    const body = response.json<SubjectExport>();
    expect(body.subject_id).toBe('alice');
    expect(body.memory.items.map((i) => i.kind).sort()).toEqual(
      ['GOAL', 'GOAL', 'HISTORY', 'HISTORY', 'PREFERENCE'].sort(),
    );
    expect(body.memory.facets).toMatchObject({ concise: 0.5, step_by_step: 0.52 });
    expect(body.selection_logs).toHaveLength(2);
    expect(body.selection_logs[0]).toEqual({
      timestamp: expect.stringMatching(/Z$/),
      user_id: 'alice',
      agent_id: 'helper',
      event_id: expect.any(String),
      user_input: 'build api',
      context: { persona_facets: {}, interaction_count: 0, recent_goals: [], preferences: [] },
      hypotheses: [
        { id: 'h1', question: 'Do you want to build a REST API?', confidence: 0.8 },
        { id: 'h2', question: 'Design endpoints?', confidence: 0.8 },
      ],
      selected_id: 'h1',
      label: 'positive',
    });
    expect(body.persona_updates[1]).toMatchObject({
      user_id: 'alice',
      old_facets: { concise: 0.52, step_by_step: 0.5 },
      new_facets: { concise: 0.5, step_by_step: 0.52 },
      facet_deltas: { concise: -0.02, step_by_step: 0.02 },
      signals: { selected_hypothesis_id: 'h2', success: false },
      source: 'rules',
    });
    expect(body.feedback_events).toBe(2);
  });

  it('streams the training logs of every subject as JSONL, filtered by agent', async () => {
    const selections = await app().inject({ method: 'GET', url: '/api/v1/subject-logs/selections?agent_id=helper' });
    expect(selections.statusCode).toBe(200);
    expect(selections.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = selections.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user_id: string });
    expect(lines.map((l) => l.user_id)).toEqual(['alice', 'alice', 'bob']);
    const updates = await app().inject({ method: 'GET', url: '/api/v1/subject-logs/persona-updates?limit=1' });
    expect(updates.body.trim().split('\n')).toHaveLength(1);
    const none = await app().inject({ method: 'GET', url: '/api/v1/subject-logs/selections?agent_id=nobody' });
    expect(none.body).toBe('');
    const bad = await app().inject({ method: 'GET', url: '/api/v1/subject-logs/everything' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/kind/);
  });

  it('erases memory, facets, logs and the events’ personal fields, audited; ratings stay; other subjects untouched', async () => {
    // alice's good answer and her correction became examples, as did bob's answer.
    expect((await examples()).map((e) => [e.input, e.output])).toEqual([
      ['build api', 'an answer'],
      ['deploy', 'use podman'],
      ['test', 'an answer'],
    ]);
    const response = await app().inject({ method: 'DELETE', url: '/api/v1/subjects/alice?reason=GDPR%20request%2042' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      subject_id: 'alice',
      deleted: { memory_items: 5, facets: 4, selection_logs: 2, persona_updates: 2, examples: 2, events_scrubbed: 2 },
    });
    const after = (await app().inject({ method: 'GET', url: '/api/v1/subjects/alice' })).json<SubjectExport>();
    expect(after).toMatchObject({
      memory: { items: [], facets: {} },
      selection_logs: [],
      persona_updates: [],
      feedback_events: 0,
    });
    const rows = await h.query<{
      subject_id: string | null;
      complaint: string | null;
      rating: number;
      payload: string;
    }>(
      `SELECT subject_id, complaint, rating, payload::text AS payload FROM feedback_events WHERE payload->'artifacts' IS NULL ORDER BY event_id`,
    );
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r.subject_id, r.complaint, r.rating])).toEqual([
      [null, null, 4],
      [null, '[erased]', 4],
    ]);
    for (const row of rows) expect(row.payload).not.toMatch(/alice|build api|Docker|Bob|555|podman|example\.com/);
    const [audit] = await h.query<{ action: string; entity_id: string; reason: string; details: object }>(
      `SELECT action, entity_id, reason, details FROM audit_entries WHERE action = 'subject.erased'`,
    );
    expect(audit).toMatchObject({
      entity_id: 'alice',
      reason: 'GDPR request 42',
      details: { examples: 2, events_scrubbed: 2 },
    });
    // Her examples are gone, bob's stays, and feedback-api is told to reload the agent's examples in full.
    expect((await examples()).map((e) => e.input)).toEqual(['test']);
    await eventually(() => expect(announced).toContain(JSON.stringify({ agent_id: 'helper', removed: true })));
    expect((await app().inject({ method: 'GET', url: '/api/v1/subjects/bob' })).json()).toMatchObject({
      feedback_events: 1,
    });
    // Events still queued for memory or examples when the erasure ran are not learned from after it.
    await app().get(MemoryService).fromBatch(events);
    await app().get(ExamplesService).fromBatch(events);
    expect((await examples()).map((e) => e.input)).toEqual(['test']);
    expect((await app().inject({ method: 'GET', url: '/api/v1/subjects/alice' })).json()).toMatchObject({
      memory: { items: [] },
      selection_logs: [],
    });
    const again = await app().inject({ method: 'DELETE', url: '/api/v1/subjects/alice' });
    expect(again.json()).toEqual({
      subject_id: 'alice',
      deleted: { memory_items: 0, facets: 0, selection_logs: 0, persona_updates: 0, examples: 0, events_scrubbed: 0 },
    });
  });

  it('an examples batch in flight waits for an erasure in progress, then makes no example of its events', async () => {
    const carol = event({
      subject_id: 'carol',
      session_id: 's9',
      artifacts: { input: 'carol asks', output: 'carol gets an answer' },
      explicit: { rating: 5 },
    });
    await publish([carol]);
    expect((await examples()).map((e) => e.input)).toContain('carol asks');
    await withClient(async (client) => {
      await client.query(`SET search_path TO "${h.prefix}"`);
      await client.query('BEGIN');
      // What the erasure's transaction does: the examples' erasure lock, then its deletions and the scrub.
      await client.query(LOCK_FOR_ERASURE);
      await client.query(`DELETE FROM examples WHERE event_id = $1`, [carol.event_id]);
      await client.query(`UPDATE feedback_events SET subject_id = NULL WHERE subject_id = 'carol'`);
      // The same event offered again (still queued when the erasure began) waits for it.
      const inFlight = app().get(ExamplesService).fromBatch([carol]);
      await eventually(async () => {
        const [waiting] = await h.query<{ n: number }>(
          `SELECT count(*)::int AS n
           FROM pg_locks, (SELECT hashtextextended('examples-erasure:' || current_schema(), 0) AS k) AS key
           WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
             AND classid::bigint = (key.k >> 32) & 4294967295 AND objid::bigint = key.k & 4294967295`,
        );
        expect(waiting!.n).toBe(1);
      });
      await client.query('COMMIT');
      await inFlight;
    });
    expect((await examples()).map((e) => e.input)).not.toContain('carol asks');
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await app().inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, object> }>();
    expect(Object.keys(doc.paths['/api/v1/subjects/{subject_id}']!).sort()).toEqual(['delete', 'get']);
    expect(doc.paths['/api/v1/subject-logs/{kind}']).toHaveProperty('get');
  });
});
