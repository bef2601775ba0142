import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prefixSubject, SUBJECT_MEMORY_CHANGED, type StoredFeedbackEvent } from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { MemoryService } from './memory.service';

let seq = 0;
const event = (fields: Partial<StoredFeedbackEvent>): StoredFeedbackEvent => ({
  event_id: `mem-${++seq}`,
  kind: 'explicit',
  agent_id: 'helper',
  session_id: 's1',
  received_at: new Date(Date.UTC(2026, 11, 7, 10, 0, seq)).toISOString(),
  ...fields,
});
const selection = (options: string[], selected: number) => ({
  options: options.map((text, i) => ({ id: `h${i + 1}`, text, confidence: 0.8 - i * 0.1 })),
  selected_id: `h${selected + 1}`,
});

interface ItemRow {
  kind: string;
  text: string;
  weight: number;
  confidence: number;
  tags: string[];
}

async function publishAndLearn(h: OracleHarness, ...events: StoredFeedbackEvent[]) {
  await h.nats.js.publish(
    h.nats.topology.subjects.feedback('explicit', events[0]!.agent_id),
    JSON.stringify({ v: 1, type: 'feedback', events }),
  );
  await h.ingestIdle();
  await h.apps[0]!.get(MemoryService).idle();
}

const items = (h: OracleHarness, subject: string) =>
  h.query<ItemRow>(
    `SELECT kind, text, weight, confidence, tags FROM subject_memory_items WHERE subject_id = $1 ORDER BY kind, updated_at, text`,
    [subject],
  );
const facets = async (h: OracleHarness, subject: string) =>
  Object.fromEntries(
    (
      await h.query<{ name: string; value: number }>(`SELECT name, value FROM subject_facets WHERE subject_id = $1`, [
        subject,
      ])
    ).map((r) => [r.name, r.value]),
  );

describe('subject memory: ingested feedback → memory, facets, logs (real NATS and Postgres)', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    const policy = join(mkdtempSync(join(tmpdir(), 'memory-policy-')), 'policy.yaml');
    writeFileSync(policy, 'memory:\n  max_history: 3\n');
    h = await oracleHarness('subject_memory', { POLICIES_PATH: policy });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it('learns goals, preferences, history and facets from selections, merges a repeated goal, logs both for training', async () => {
    const first = event({
      subject_id: 'u1',
      artifacts: { input: 'build api' },
      explicit: {
        selection: selection(['Do you want to build a REST API?', 'Do you want to design API endpoints?'], 0),
      },
    });
    const second = event({
      subject_id: 'u1',
      artifacts: { input: 'deploy api' },
      explicit: {
        selection: selection(['Deploy to AWS?', 'Do you want to containerize with Docker?'], 1),
        complaint: 'too long',
      },
    });
    await publishAndLearn(h, second, first, event({ subject_id: 'other', explicit: { rating: 5 } }));
    await publishAndLearn(
      h,
      event({
        subject_id: 'u1',
        artifacts: { input: 'api again' },
        explicit: { selection: selection(['Build the REST API with FastAPI?'], 0) },
      }),
    );

    const rows = await items(h, 'u1');
    expect(rows.filter((r) => r.kind === 'GOAL')).toEqual([
      {
        kind: 'GOAL',
        text: 'containerize with Docker',
        weight: 1,
        confidence: 0.7,
        tags: ['learned', 'selection_derived'],
      },
      {
        kind: 'GOAL',
        text: 'build the REST API with FastAPI',
        weight: 2,
        confidence: 0.8,
        tags: ['learned', 'selection_derived'],
      },
    ]);
    expect(rows.filter((r) => r.kind === 'PREFERENCE').map((r) => [r.text, r.confidence])).toEqual([
      ['Prefers: Docker', 0.63],
      ['Prefers: FastAPI', 0.72],
    ]);
    expect(rows.filter((r) => r.kind === 'HISTORY').map((r) => r.text)).toEqual([
      'User requested: build api | Selected: Do you want to build a REST API?',
      'User requested: deploy api | Selected: Do you want to containerize with Docker? | Feedback: complaint: too long',
      'User requested: api again | Selected: Build the REST API with FastAPI?',
    ]);
    expect(await facets(h, 'u1')).toEqual({ concise: 0.52, step_by_step: 0.52, code_first: 0.5, formal: 0.5 });
    expect(await facets(h, 'other')).toEqual({ concise: 0.5, step_by_step: 0.5, code_first: 0.5, formal: 0.5 });

    const logs = await h.query<{ selected_id: string; label: string; context: { interaction_count: number } }>(
      `SELECT selected_id, label, context FROM subject_selection_logs WHERE subject_id = 'u1' ORDER BY occurred_at`,
    );
    expect(logs.map((l) => [l.selected_id, l.label, l.context.interaction_count])).toEqual([
      ['h1', 'positive', 0],
      ['h2', 'negative', 1],
      ['h1', 'positive', 2],
    ]);
    const updates = await h.query<{
      deltas: Record<string, number>;
      signals: { selected_hypothesis_id: string };
      source: string;
    }>(`SELECT deltas, signals, source FROM subject_persona_updates WHERE subject_id = 'u1' ORDER BY occurred_at`);
    expect(updates.map((u) => [u.deltas, u.signals.selected_hypothesis_id, u.source])).toEqual([
      [{ concise: 0.02 }, 'h1', 'rules'],
      [{ step_by_step: 0.02, concise: -0.02 }, 'h2', 'rules'],
      [{ concise: 0.02 }, 'h1', 'rules'],
    ]);
  });

  it('announces the subjects it changed on subject.memory.changed', async () => {
    const received: string[] = [];
    const subscription = h.nats.nc.subscribe(prefixSubject(h.prefix, SUBJECT_MEMORY_CHANGED), {
      callback: (_, msg) => void received.push(msg.string()),
    });
    await h.nats.nc.flush();
    await publishAndLearn(h, event({ subject_id: 'announced', explicit: { rating: 5 } }));
    await eventually(() => expect(received.some((body) => body.includes('"announced"'))).toBe(true));
    subscription.unsubscribe();
  });

  it('learns from a redelivered event once', async () => {
    const once = event({ subject_id: 'u2', explicit: { selection: selection(['Do you want to build a CLI?'], 0) } });
    await publishAndLearn(h, once);
    await publishAndLearn(h, once);
    expect((await items(h, 'u2')).map((r) => [r.kind, r.weight])).toEqual([
      ['GOAL', 1],
      ['HISTORY', 1],
    ]);
    expect(await facets(h, 'u2')).toMatchObject({ concise: 0.52 });
    expect(
      await metricValue(h.apps, 'metaloop_subject_memory_writes_total', { outcome: 'duplicate' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('purges HISTORY past the retention for subjects who did not come back; goals stay', async () => {
    await publishAndLearn(
      h,
      event({ subject_id: 'gone', explicit: { selection: selection(['Do you want to build a bot?'], 0) } }),
    );
    await h.query(`UPDATE subject_memory_items SET updated_at = now() - interval '100 days' WHERE subject_id = 'gone'`);
    expect(await h.apps[0]!.get(MemoryService).purgeExpiredHistory()).toBeGreaterThanOrEqual(1);
    expect((await items(h, 'gone')).map((r) => r.kind)).toEqual(['GOAL']);
  });

  it('keeps the most recent history within the cap', async () => {
    await publishAndLearn(h, ...[1, 2, 3, 4, 5].map((n) => event({ subject_id: 'u3', artifacts: { input: `q${n}` } })));
    expect((await items(h, 'u3')).map((r) => r.text)).toEqual([
      'User requested: q3',
      'User requested: q4',
      'User requested: q5',
    ]);
  });
});

describe('subject memory with the optional persona model (a stand-in OpenAI-compatible endpoint)', () => {
  let h: OracleHarness;
  let server: Server;
  const answers: unknown[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const answer = answers.shift();
        if (answer === 'fail') return void res.writeHead(500).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { content: JSON.stringify(answer) } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    h = await oracleHarness('subject_memory_model', { MEMORY_PERSONA_MODEL_URL: `http://127.0.0.1:${port}/v1` });
  });
  afterAll(async () => {
    await h?.dispose();
    server?.close();
  });

  it('applies validated, clamped deltas with the rules and logs them; a failure or nonsense leaves the rules alone', async () => {
    answers.push({ facet_updates: { code_first: 0.5, formal: -0.02, invented: 0.3 } }, 'fail', { nonsense: true });
    const pick = (subject: string) =>
      event({ subject_id: subject, explicit: { selection: selection(['Write the code first?'], 0) } });
    await publishAndLearn(h, pick('m1'));
    await publishAndLearn(h, pick('m2'));
    await publishAndLearn(h, pick('m3'));
    expect(await facets(h, 'm1')).toEqual({ concise: 0.52, step_by_step: 0.5, code_first: 0.6, formal: 0.48 });
    expect(await facets(h, 'm2')).toMatchObject({ concise: 0.52, code_first: 0.5 });
    expect(await facets(h, 'm3')).toMatchObject({ concise: 0.52, code_first: 0.5 });
    const [update] = await h.query<{ source: string; signals: { model_deltas: Record<string, number> } }>(
      `SELECT source, signals FROM subject_persona_updates WHERE subject_id = 'm1'`,
    );
    expect(update).toMatchObject({ source: 'model', signals: { model_deltas: { code_first: 0.1, formal: -0.02 } } });
    expect(await metricValue(h.apps, 'metaloop_subject_memory_model_calls_total', { outcome: 'failed' })).toBe(1);
    expect(await metricValue(h.apps, 'metaloop_subject_memory_model_calls_total', { outcome: 'rejected' })).toBe(1);
  });
});
