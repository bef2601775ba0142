import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Msg } from '@nats-io/transport-node';
import { DELIVERY_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from '@metaloop/adapters';
import type { DatasetResponse, Finding, TrainingRequestedMessage } from '@metaloop/contracts';
import { eventually, startFakeServer, type FakeServer } from '@metaloop/testing';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { PlanningService } from '../planning/planning.service';
import { TrainingService } from './training.service';

const SECRET = 'trainer-secret-0123456789';
const HOUR_MS = 3_600_000;
const WINDOW_FROM = new Date(Date.now() - 10 * HOUR_MS);
const at = (hoursAfterFrom: number) => new Date(WINDOW_FROM.getTime() + hoursAfterFrom * HOUR_MS);

let seq = 0;
interface Row {
  agent: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
  revision?: string;
}
const ev = (agent: string, occurredAt: Date, payload: Record<string, unknown>, revision = 'rev_a'): Row => ({
  agent,
  occurredAt,
  payload,
  revision,
});
const qa = (i: number) => ({ input: `question ${i}`, output: `answer ${i}` });

/**
 * The known event set of agent `writer`, inside the window: 27 scanned, 26 with artifacts,
 * 24 of quality ≥ 0.7 (a rating 2 and a complaint fail), 23 positive (a rating 3.5 fails),
 * 22 distinct (one repeats question 1). Before the window: 6 good events, one of them a
 * repeat of question 1, for the rehearsal share (round(22 × 0.1 / 0.9) = 2).
 */
function writerEvents(): Row[] {
  const fresh = [
    ev('writer', at(1), { artifacts: qa(1), explicit: { rating: 5 } }),
    ev('writer', at(1.1), { artifacts: qa(1), implicit: { success: true } }),
    ev('writer', at(1.2), { artifacts: qa(2), explicit: { rating: 2 } }),
    ev('writer', at(1.3), { explicit: { rating: 5 } }),
    ev('writer', at(1.4), { artifacts: qa(3), explicit: { rating: 3.5, helpful: true }, implicit: { success: true } }),
    ev('writer', at(1.5), { artifacts: { input: 'question 4' }, explicit: { correction: 'the corrected answer 4' } }),
    ev('writer', at(1.6), { artifacts: qa(5), explicit: { rating: 5, complaint: 'rude' } }),
    ...Array.from({ length: 20 }, (_, i) =>
      ev('writer', at(2 + i * 0.1), { artifacts: qa(100 + i), explicit: { rating: 5 } }),
    ),
  ];
  const older = [
    ev('writer', at(-5), { artifacts: qa(1), explicit: { rating: 5 } }),
    ...Array.from({ length: 5 }, (_, i) =>
      ev('writer', at(-1 - i), { artifacts: qa(900 + i), implicit: { success: true } }),
    ),
  ];
  const others = [ev('someone_else', at(1), { artifacts: qa(7), explicit: { rating: 5 } })];
  return [...fresh, ...older, ...others];
}

const selection = (selected: string) => ({
  options: [
    { id: 'h1', text: 'short', confidence: 0.8 },
    { id: 'h2', text: 'detailed', confidence: 0.7 },
    { id: 'h3', text: 'code first', confidence: 0.6 },
  ],
  selected_id: selected,
});

function pickerEvents(): Row[] {
  return [
    ev('picker', at(1), { artifacts: { input: 'build api' }, explicit: { selection: selection('h1') } }),
    ev('picker', at(1.1), { artifacts: { input: 'build api' }, explicit: { selection: selection('h1') } }),
    ev('picker', at(1.2), { artifacts: { input: 'deploy' }, explicit: { selection: selection('h3') } }),
    ev('picker', at(1.3), { artifacts: { input: 'test' }, explicit: { selection: selection('h2'), complaint: 'meh' } }),
    ev('picker', at(1.4), { artifacts: qa(1), explicit: { rating: 5 } }),
  ];
}

/** Agent `blank` sends feedback without artifacts {input, output}: its datasets have no lines. */
function blankEvents(): Row[] {
  return Array.from({ length: 4 }, (_, i) => ev('blank', at(1 + i * 0.1), { explicit: { rating: 5 } }));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('training datasets and requests (oracle-api loop/training)', () => {
  let h: OracleHarness;
  let trainer: FakeServer;
  let datasetsDir: string;
  const announced: TrainingRequestedMessage[] = [];

  beforeAll(async () => {
    trainer = await startFakeServer((_request, response) => void response.writeHead(202).end('{"ok":true}'));
    datasetsDir = mkdtempSync(join(tmpdir(), 'metaloop-datasets-spec-'));
    h = await oracleHarness('training', {
      DATASETS_DIR: datasetsDir,
      DATASET_PAGE_ROWS: '100',
      TRAINER_URL: `${trainer.url}/train`,
      TRAINER_SECRET: SECRET,
    });
    h.nats.nc.subscribe(h.nats.topology.subjects.trainingRequested, {
      callback: (_error, msg: Msg) => void announced.push(msg.json()),
    });
    await h.nats.nc.flush();
    const rows = [...writerEvents(), ...pickerEvents(), ...blankEvents()];
    for (const row of rows) {
      seq++;
      await h.query(
        `INSERT INTO feedback_events (event_id, agent_id, session_id, revision_id, occurred_at, tags, payload)
         VALUES ($1, $2, $3, $4, $5, '{}', $6::jsonb)`,
        [`e${seq}`, row.agent, `s${seq}`, row.revision, row.occurredAt, JSON.stringify(row.payload)],
      );
    }
  });

  afterAll(async () => {
    await h?.dispose();
    await trainer?.close();
    rmSync(datasetsDir, { recursive: true, force: true });
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    h.apps[0]!.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

  const built = async (body: Record<string, unknown>): Promise<DatasetResponse> => {
    const created = await call('POST', '/api/v1/datasets', body);
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ status: 'building', manifest: null });
    const id = created.json<DatasetResponse>().dataset_id;
    return eventually(async () => {
      const dataset = (await call('GET', `/api/v1/datasets/${id}`)).json<DatasetResponse>();
      expect(dataset.status).toBe('ready');
      return dataset;
    }, 15_000);
  };

  let sft: DatasetResponse;

  it('counts every filter stage on a known event set, with the rehearsal share from older events', async () => {
    sft = await built({ agent_id: 'writer', from: WINDOW_FROM.toISOString() });
    expect(sft.manifest!.counts).toEqual({
      scanned: 27,
      with_artifacts: 26,
      quality_passed: 24,
      positive: 23,
      deduplicated: 22,
      rehearsal_added: 2,
      train: expect.any(Number),
      validation: expect.any(Number),
    });
    const { train, validation } = sft.manifest!.counts;
    expect(train + validation).toBe(24);
    expect(await metricValue(h.apps, 'metaloop_datasets_built_total', { trigger: 'api', outcome: 'ready' })).toBe(1);
    expect(await metricValue(h.apps, 'metaloop_dataset_build_duration_seconds_count', { trigger: 'api' })).toBe(1);
    expect(await metricValue(h.apps, 'metaloop_dataset_lines_total', { split: 'train' })).toBe(train);
    expect(await metricValue(h.apps, 'metaloop_dataset_lines_total', { split: 'validation' })).toBe(validation);
    expect(sft.manifest!.filters).toMatchObject({
      min_quality: 0.7,
      rehearsal_share: 0.1,
      validation_share: 0.1,
      seed: 42,
    });
    // The build is audited with the counts it made: a link of the chain dataset → request → candidate.
    const audit = await h.query<{ action: string; details: { counts?: unknown } | null }>(
      `SELECT action, details FROM audit_entries WHERE entity_id = $1 ORDER BY id`,
      [sft.dataset_id],
    );
    expect(audit.map((a) => a.action)).toEqual(['dataset.requested', 'dataset.built']);
    expect(audit[1]!.details!.counts).toEqual(sft.manifest!.counts);
  });

  it('serves the files streamed: chat-format lines whose hash and size the manifest records', async () => {
    const train = await call('GET', `/api/v1/datasets/${sft.dataset_id}/files/train`);
    const validation = await call('GET', `/api/v1/datasets/${sft.dataset_id}/files/validation`);
    expect(train.statusCode).toBe(200);
    expect(train.headers['content-type']).toContain('application/x-ndjson');
    expect(sha256(train.body)).toBe(sft.manifest!.files.train.sha256);
    expect(Buffer.byteLength(validation.body)).toBe(sft.manifest!.files.validation.bytes);
    const lines = [...train.body.split('\n'), ...validation.body.split('\n')].filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(24);
    const answers = lines.map((l: { messages: Array<{ role: string; content: string }> }) => l.messages[1]!.content);
    expect(answers).toContain('the corrected answer 4');
    expect(answers).not.toContain('answer 2');
    expect(answers).not.toContain('answer 3');
    expect(answers).not.toContain('answer 7');
    expect(answers.filter((a) => a === 'answer 1')).toHaveLength(1);
    expect(answers.filter((a) => a.startsWith('answer 90'))).toHaveLength(2);
    const manifest = await call('GET', `/api/v1/datasets/${sft.dataset_id}/files/manifest`);
    expect(manifest.json()).toEqual(sft.manifest);
  });

  it('splits deterministically: the same events and seed give byte-identical files', async () => {
    const again = await built({ agent_id: 'writer', from: WINDOW_FROM.toISOString() });
    expect(again.dataset_id).not.toBe(sft.dataset_id);
    expect(again.manifest!.files.train.sha256).toBe(sft.manifest!.files.train.sha256);
    expect(again.manifest!.files.validation.sha256).toBe(sft.manifest!.files.validation.sha256);
  });

  it('filters by revision: no events of another revision', async () => {
    const other = await built({ agent_id: 'writer', revision_id: 'rev_other', from: WINDOW_FROM.toISOString() });
    expect(other.manifest!.counts).toMatchObject({ scanned: 0, train: 0, validation: 0 });
  });

  it('exports selection logs as preference pairs, one line per rejected option', async () => {
    const preference = await built({ agent_id: 'picker', kind: 'preference' });
    expect(preference.manifest!.counts).toMatchObject({
      scanned: 5,
      with_artifacts: 4,
      quality_passed: 4,
      positive: 3,
      deduplicated: 2,
      rehearsal_added: 0,
    });
    const body = ['train', 'validation']
      .map(async (f) => (await call('GET', `/api/v1/datasets/${preference.dataset_id}/files/${f}`)).body)
      .map((p) => p);
    const pairs = (await Promise.all(body))
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(pairs.sort((a, b) => (a.prompt + a.rejected).localeCompare(b.prompt + b.rejected))).toEqual([
      { prompt: 'build api', chosen: 'short', rejected: 'code first' },
      { prompt: 'build api', chosen: 'short', rejected: 'detailed' },
      { prompt: 'deploy', chosen: 'code first', rejected: 'detailed' },
      { prompt: 'deploy', chosen: 'code first', rejected: 'short' },
    ]);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await call('GET', '/docs/json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/datasets',
        '/api/v1/datasets/{dataset_id}',
        '/api/v1/datasets/{dataset_id}/files/{file}',
        '/api/v1/training-requests/{training_request_id}',
      ]),
    );
    expect(JSON.stringify(doc.paths['/api/v1/agents/{agent_id}/candidates'].post)).toContain('training_request_id');
  });

  it('answers bad input and missing datasets with problems naming the field', async () => {
    const bad = await call('POST', '/api/v1/datasets', { agent_id: 'writer', kind: 'rl' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body).toContain('kind');
    const backwards = await call('POST', '/api/v1/datasets', {
      agent_id: 'writer',
      from: at(2).toISOString(),
      to: at(1).toISOString(),
    });
    expect(backwards.statusCode).toBe(400);
    const missing = await call('GET', '/api/v1/datasets/00000000-0000-7000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    const file = await call('GET', `/api/v1/datasets/${sft.dataset_id}/files/secrets`);
    expect(file.statusCode).toBe(400);
    expect(file.body).toContain('file');
    const [building] = await h.query<{ id: string }>(
      `INSERT INTO datasets (id, agent_id, kind, status, from_time, to_time, params, created_by)
       VALUES ('00000000-0000-7000-8000-0000000000b1', 'writer', 'sft', 'building', now(), now(), '{}', 'spec') RETURNING id`,
    );
    expect((await call('GET', `/api/v1/datasets/${building!.id}/files/train`)).statusCode).toBe(409);
    const listed = await call('GET', '/api/v1/datasets?agent_id=picker');
    expect(listed.json().items.map((d: DatasetResponse) => d.kind)).toEqual(['preference']);
  });

  it('hands a retrain finding to the trainer: dataset, request, training.requested and a signed webhook, retried', async () => {
    expect(
      (
        await call('POST', '/api/v1/agents', {
          agent_id: 'writer',
          name: 'Writer',
          environment: 'dev',
          config: { model: 'llama-3-8b', prompt: { version: 'v1', template: 'You write.' } },
        })
      ).statusCode,
    ).toBe(201);
    trainer.fault('/train', 503, 1);
    const finding = {
      finding_id: '00000000-0000-7000-8000-0000000000f1',
      type: 'retrain_trigger',
      agent_id: 'writer',
      summary: 'retrain (sample count): 1200 new quality samples',
      evidence: { reason: 'sample_count' },
    } as unknown as Finding;
    const training = h.apps[0]!.get(TrainingService);
    const requestId = await training.request(finding);
    expect(requestId).toEqual(expect.any(String));
    // Once per finding, and nothing new within the cooldown.
    expect(await training.request(finding)).toBeUndefined();
    expect(await training.request({ ...finding, finding_id: '00000000-0000-7000-8000-0000000000f2' })).toBeUndefined();

    const [request] = await eventually(async () => {
      const rows = await h.query<{ status: string; attempts: number; dataset_id: string }>(
        `SELECT status, attempts, dataset_id::text FROM training_requests WHERE id = $1`,
        [requestId],
      );
      expect(rows[0]?.status).toBe('delivered');
      return rows;
    }, 20_000);
    expect(request!.attempts).toBe(2);
    const posts = trainer.received.filter((r) => r.path === '/train');
    expect(posts).toHaveLength(2);
    const delivered = posts[1]!;
    expect(verifyWebhookSignature(SECRET, delivered.headers[SIGNATURE_HEADER] as string, delivered.body, 300)).toBe(
      true,
    );
    expect(
      verifyWebhookSignature(
        'another-secret-0123456789',
        delivered.headers[SIGNATURE_HEADER] as string,
        delivered.body,
        300,
      ),
    ).toBe(false);
    const message = JSON.parse(delivered.body) as TrainingRequestedMessage;
    expect(message).toMatchObject({
      training_request_id: requestId,
      agent_id: 'writer',
      dataset_id: request!.dataset_id,
      reason: 'sample_count',
      finding_id: finding.finding_id,
      location: request!.dataset_id,
      files: { train: `/api/v1/datasets/${request!.dataset_id}/files/train` },
    });
    // All of the writer's history (no earlier request): the 28 distinct good answers, no rehearsal before the epoch.
    expect(message.manifest.counts).toMatchObject({ scanned: 33, deduplicated: 27, rehearsal_added: 0 });
    await eventually(() => expect(announced.map((m) => m.training_request_id)).toEqual([requestId]));
    expect(await metricValue(h.apps, 'metaloop_training_requests_total', { outcome: 'requested' })).toBe(1);
    expect(await metricValue(h.apps, 'metaloop_datasets_built_total', { trigger: 'retrain', outcome: 'ready' })).toBe(
      1,
    );
  });

  it('keeps an empty dataset but does not ask the trainer: the request is skipped, audited with the counts', async () => {
    const finding = {
      finding_id: '00000000-0000-7000-8000-0000000000f3',
      type: 'retrain_trigger',
      agent_id: 'blank',
      summary: 'retrain (schedule): weekly',
      evidence: { reason: 'schedule' },
    } as unknown as Finding;
    const requestId = await h.apps[0]!.get(TrainingService).request(finding);
    expect(requestId).toEqual(expect.any(String));
    const [request] = await eventually(async () => {
      const rows = await h.query<{ status: string; dataset_id: string; last_error: string | null }>(
        `SELECT status, dataset_id::text, last_error FROM training_requests WHERE id = $1`,
        [requestId],
      );
      expect(rows[0]?.status).toBe('skipped');
      return rows;
    }, 20_000);
    expect(request!.last_error).toContain('0 train line(s)');
    // The dataset is kept, with its manifest and (empty) files.
    const dataset = (await call('GET', `/api/v1/datasets/${request!.dataset_id}`)).json<DatasetResponse>();
    expect(dataset.status).toBe('ready');
    expect(dataset.manifest!.counts).toMatchObject({ scanned: 4, with_artifacts: 0, train: 0, validation: 0 });
    expect((await call('GET', `/api/v1/datasets/${request!.dataset_id}/files/train`)).body).toBe('');

    const chain = (await call('GET', `/api/v1/training-requests/${requestId}`)).json();
    expect(chain.training_request).toMatchObject({ status: 'skipped', reason: 'schedule' });
    expect(chain.audit.map((a: { action: string }) => a.action)).toEqual([
      'training.requested',
      'dataset.built',
      'training.skipped',
    ]);
    expect(chain.audit[2].details).toEqual({
      dataset_id: request!.dataset_id,
      counts: dataset.manifest!.counts,
      min_train_lines: 1,
    });
    // Neither the webhook nor NATS heard of it; the cooldown still holds for the agent.
    expect(trainer.received.filter((r) => r.headers[DELIVERY_HEADER] === requestId)).toEqual([]);
    expect(announced.map((m) => m.agent_id)).not.toContain('blank');
    expect(await metricValue(h.apps, 'metaloop_training_requests_total', { outcome: 'skipped' })).toBe(1);
    expect(await metricValue(h.apps, 'metaloop_training_requests_total', { outcome: 'requested' })).toBe(1);
    expect(
      await h.apps[0]!.get(TrainingService).request({ ...finding, finding_id: '00000000-0000-7000-8000-0000000000f4' }),
    ).toBeUndefined();
  });

  it('a candidate registered with the training request completes it, and the chain reads back', async () => {
    const [request] = await h.query<{ id: string; dataset_id: string }>(
      `SELECT id::text, dataset_id::text FROM training_requests WHERE agent_id = 'writer'`,
    );
    const adapter = {
      type: 'lora',
      adapter_id: 'writer-ft-1',
      base_model: 'llama-3-8b',
      source: 'sim://trained',
      training_request_id: request!.id,
    };
    expect(
      (await call('POST', '/api/v1/agents/writer/candidates', { ...adapter, training_request_id: 'nope' })).statusCode,
    ).toBe(400);
    expect(
      (
        await call('POST', '/api/v1/agents/writer/candidates', {
          ...adapter,
          training_request_id: '00000000-0000-7000-8000-00000000dead',
        })
      ).statusCode,
    ).toBe(404);
    const created = await call('POST', '/api/v1/agents/writer/candidates', adapter);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ adapter_id: 'writer-ft-1', training_request_id: request!.id });
    const again = await call('POST', '/api/v1/agents/writer/candidates', { ...adapter, adapter_id: 'writer-ft-2' });
    expect(again.statusCode).toBe(409);

    const chain = await call('GET', `/api/v1/training-requests/${request!.id}`);
    expect(chain.statusCode).toBe(200);
    const body = chain.json();
    expect(body).toMatchObject({
      training_request: { training_request_id: request!.id, status: 'completed', reason: 'sample_count' },
      dataset: { dataset_id: request!.dataset_id, status: 'ready' },
      candidate: { type: 'lora', key: 'writer-ft-1' },
      mutations: [],
    });
    expect(body.audit.map((a: { action: string }) => a.action)).toEqual([
      'training.requested',
      'dataset.built',
      'training.delivered',
      'training.completed',
    ]);
    expect(body.audit[3].details).toMatchObject({ dataset_id: request!.dataset_id, candidate_key: 'writer-ft-1' });
    expect(await metricValue(h.apps, 'metaloop_training_requests_total', { outcome: 'completed' })).toBe(1);
    expect((await call('GET', '/api/v1/training-requests/00000000-0000-7000-8000-00000000dead')).statusCode).toBe(404);

    // The planner now proposes the trained adapter for the agent's retrain finding, citing request and dataset.
    const context = await h.apps[0]!.get(PlanningService).context(['writer']);
    expect(context.agents.get('writer')!.trained).toEqual(
      new Map([['writer-ft-1', { trainingRequestId: request!.id, datasetId: request!.dataset_id }]]),
    );
  });
});
