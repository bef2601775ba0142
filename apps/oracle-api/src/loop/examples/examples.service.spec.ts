import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES_CHANGED, prefixSubject, type StoredFeedbackEvent } from '@metaloop/contracts';
import { exampleContentHash } from '@metaloop/examples';
import { eventually } from '@metaloop/testing';
import type { Subscription } from '@nats-io/transport-node';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { RetentionService } from '../../housekeeping/retention/retention.service';
import { ExamplesService } from './examples.service';

let seq = 0;
const event = (fields: Partial<StoredFeedbackEvent>): StoredFeedbackEvent => ({
  event_id: `evt-${++seq}`,
  kind: 'explicit',
  agent_id: 'alpha',
  session_id: 's1',
  received_at: new Date(Date.UTC(2026, 10, 25, 10, 0, seq)).toISOString(),
  ...fields,
});

interface ExampleRow {
  id: string;
  agent_id: string;
  event_id: string;
  revision_id: string;
  source: string;
  input: string;
  output: string;
  quality: number;
  content_hash: string;
  embedding: number[];
  embedder: string;
  demoted_at: Date | null;
  demote_reason: string | null;
}

describe('example store: ingested feedback → examples (real NATS and Postgres)', () => {
  let h: OracleHarness;
  let changed: Subscription;
  const announced: string[] = [];

  beforeAll(async () => {
    const policy = join(mkdtempSync(join(tmpdir(), 'examples-policy-')), 'policy.yaml');
    writeFileSync(policy, 'learning:\n  examples:\n    max_per_agent: 4\n    retention_days: 30\n');
    h = await oracleHarness('examples', { POLICIES_PATH: policy });
    changed = h.nats.nc.subscribe(prefixSubject(h.prefix, EXAMPLES_CHANGED), {
      callback: (_, msg) => void announced.push(msg.string()),
    });
  });
  afterAll(async () => {
    changed?.unsubscribe();
    await h?.dispose();
  });

  /** Publishes the events as one envelope, then waits until ingest stored them and the example store looked at them. */
  const ingest = async (...events: StoredFeedbackEvent[]) => {
    await h.nats.js.publish(
      h.nats.topology.subjects.feedback('explicit', events[0]!.agent_id),
      JSON.stringify({ v: 1, type: 'feedback', events }),
    );
    await h.ingestIdle();
    await h.apps[0]!.get(ExamplesService).idle();
  };
  const examples = (agent: string) =>
    h.query<ExampleRow>(`SELECT * FROM examples WHERE agent_id = $1 ORDER BY input, output`, [agent]);

  it('makes good feedback with artifacts an example: one per content, the best and latest event kept', async () => {
    const artifacts = { input: 'How do I reset my password?', output: 'Settings → Security → Reset.' };
    await ingest(
      event({ revision_id: 'r1', explicit: { rating: 4 }, artifacts }),
      event({ revision_id: 'r2', explicit: { rating: 3 }, artifacts: { input: 'mediocre', output: 'meh' } }),
      event({ revision_id: 'r1', implicit: { success: true }, artifacts: { input: 'no output' } }),
    );
    const second = event({ revision_id: 'r2', explicit: { rating: 5, helpful: true }, artifacts });
    await ingest(second, event({ explicit: { rating: 4 }, artifacts }));
    const rows = await examples('alpha');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      ...artifacts,
      source: 'feedback',
      revision_id: 'r2',
      event_id: second.event_id,
      quality: 1,
      content_hash: exampleContentHash(artifacts.input, artifacts.output),
      embedder: 'hashed-ngram-v1-512',
      demoted_at: null,
    });
    expect(rows[0]!.embedding).toHaveLength(512);
    expect(Math.hypot(...rows[0]!.embedding)).toBeCloseTo(1, 4);
    await eventually(() => expect(announced).toContain(JSON.stringify({ agent_id: 'alpha', removed: false })));
    expect(await metricValue(h.apps, 'metaloop_examples_writes_total', { outcome: 'example' })).toBe(2);
  });

  it('demotes a session’s earlier examples of the inference a later complaint names, and only those', async () => {
    const good = (inference: string, input: string) =>
      event({
        agent_id: 'beta',
        session_id: 's2',
        inference_id: inference,
        explicit: { rating: 5 },
        artifacts: { input, output: `answer to ${input}` },
      });
    await ingest(good('i1', 'first question'), good('i2', 'second question'));
    await ingest(
      event({ agent_id: 'beta', session_id: 's2', inference_id: 'i1', explicit: { complaint: 'that was wrong' } }),
    );
    const rows = await examples('beta');
    expect(rows.map((r) => [r.input, r.demote_reason, r.demoted_at !== null])).toEqual([
      ['first question', 'complaint', true],
      ['second question', null, false],
    ]);
  });

  it('ends the same whichever arrives first: the good events or their complaint and correction (another batch)', async () => {
    const good = (agent: string, session: string, inference: string | undefined, input: string) =>
      event({
        agent_id: agent,
        session_id: session,
        inference_id: inference,
        explicit: { rating: 5 },
        artifacts: { input, output: `answer to ${input}` },
      });
    const complaintOf = (agent: string, session: string, inference?: string) =>
      event({ agent_id: agent, session_id: session, inference_id: inference, explicit: { complaint: 'wrong' } });
    const correctionOf = (agent: string, session: string) =>
      event({
        agent_id: agent,
        session_id: session,
        explicit: { correction: 'the right answer' },
        artifacts: { input: 'corrected question' },
      });
    // Two agents per order, as this suite's cap is 4 examples an agent.
    const goods = (agent: string) => [
      good(agent, 's1', 'i1', 'named inference'),
      good(agent, 's1', 'i2', 'other inference'),
      good(agent, 's4', undefined, 'untouched session'),
      good(`${agent}-2`, 's2', undefined, 'whole session'),
      good(`${agent}-2`, 's3', undefined, 'corrected question'),
    ];
    const judgments = (agent: string) => [
      complaintOf(agent, 's1', 'i1'),
      complaintOf(`${agent}-2`, 's2'),
      correctionOf(`${agent}-2`, 's3'),
    ];
    const demotionsBefore = await metricValue(h.apps, 'metaloop_examples_writes_total', { outcome: 'demotion' });
    await ingest(...goods('forward'));
    await ingest(...judgments('forward'));
    await ingest(...judgments('reverse'));
    await ingest(...goods('reverse'));
    const outcome = async (agent: string) =>
      [...(await examples(agent)), ...(await examples(`${agent}-2`))]
        .map((r) => [r.input, r.output, r.source, r.demote_reason, r.demoted_at !== null])
        .sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    const expected = [
      ['corrected question', 'answer to corrected question', 'feedback', 'correction', true],
      ['corrected question', 'the right answer', 'correction', null, false],
      ['named inference', 'answer to named inference', 'feedback', 'complaint', true],
      ['other inference', 'answer to other inference', 'feedback', null, false],
      ['untouched session', 'answer to untouched session', 'feedback', null, false],
      ['whole session', 'answer to whole session', 'feedback', 'complaint', true],
    ];
    expect(await outcome('forward')).toEqual(expected);
    expect(await outcome('reverse')).toEqual(expected);
    // Three demoted in each order: by the complaint (forward) or on arrival (reverse).
    expect(await metricValue(h.apps, 'metaloop_examples_writes_total', { outcome: 'demotion' })).toBe(
      demotionsBefore + 6,
    );
  });

  it('demotes on arrival only what the first order would have: a repeat of a better example elsewhere keeps it', async () => {
    const artifacts = { input: 'shared question', output: 'shared answer' };
    await ingest(event({ agent_id: 'epsilon', session_id: 'a', explicit: { rating: 5 }, artifacts }));
    await ingest(event({ agent_id: 'epsilon', session_id: 'b', explicit: { complaint: 'bad' } }));
    // Quality 0.8 < 1: the example keeps session a's attribution, so b's complaint does not touch it.
    await ingest(event({ agent_id: 'epsilon', session_id: 'b', explicit: { rating: 4 }, artifacts }));
    expect((await examples('epsilon')).map((r) => [r.input, r.demoted_at])).toEqual([['shared question', null]]);
    // An equal quality takes session b's attribution, which had a complaint: demoted, as if it came first.
    await ingest(event({ agent_id: 'epsilon', session_id: 'b', explicit: { rating: 5 }, artifacts }));
    expect((await examples('epsilon')).map((r) => [r.input, r.demote_reason])).toEqual([
      ['shared question', 'complaint'],
    ]);
  });

  it('makes a correction an example of the corrected output, demoting the answer it corrects', async () => {
    const artifacts = { input: 'what is the refund window?', output: '7 days' };
    await ingest(event({ agent_id: 'gamma', session_id: 's3', explicit: { rating: 5 }, artifacts }));
    await ingest(
      event({
        agent_id: 'gamma',
        session_id: 's3',
        revision_id: 'r9',
        explicit: { correction: '30 days from delivery' },
        artifacts,
      }),
    );
    const rows = await examples('gamma');
    expect(rows.map((r) => [r.output, r.source, r.quality, r.revision_id, r.demote_reason])).toEqual([
      ['30 days from delivery', 'correction', 1, '', null],
      ['7 days', 'feedback', 1, '', 'correction'],
    ]);
  });

  it('keeps at most the policy’s max_per_agent, dropping the demoted, then the lowest quality', async () => {
    const good = (n: number, rating: number) =>
      event({ agent_id: 'delta', explicit: { rating }, artifacts: { input: `question ${n}`, output: `answer ${n}` } });
    await ingest(good(1, 5), good(2, 4), good(3, 5), good(4, 5), good(5, 5), good(6, 4.5));
    const rows = await examples('delta');
    expect(rows.map((r) => r.input)).toEqual(['question 1', 'question 3', 'question 4', 'question 5']);
    await eventually(() => expect(announced).toContain(JSON.stringify({ agent_id: 'delta', removed: true })));
  });

  it('purges examples no feedback renewed within retention_days, in the retention job', async () => {
    await h.query(`UPDATE examples SET updated_at = now() - interval '31 days' WHERE agent_id = 'delta'`);
    const result = await h.apps[0]!.get(RetentionService).purge(30);
    expect(result.examples).toBe(4);
    expect(await examples('delta')).toEqual([]);
    expect((await examples('alpha')).length).toBe(1);
  });
});
