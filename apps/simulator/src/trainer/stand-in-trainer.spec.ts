import { createHmac } from 'node:crypto';
import { startFakeServer, type FakeServer } from '@metaloop/testing';
import {
  adapterIdOf,
  learningCurve,
  signatureValid,
  startStandInTrainer,
  type StandInTrainer,
} from './stand-in-trainer';

const SECRET = 'trainer-secret-0123456789';
const sign = (body: string, secret = SECRET, t = Math.floor(Date.now() / 1000)) =>
  `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

const message = {
  training_request_id: '0190aaaa-bbbb-7ccc-8ddd-eeeeffff0001',
  agent_id: 'writer',
  dataset_id: '0190aaaa-bbbb-7ccc-8ddd-eeeeffff00d5',
  reason: 'sample_count',
  manifest: { counts: { train: 600, validation: 60 } },
};

describe('the stand-in trainer', () => {
  let oracle: FakeServer;
  let trainer: StandInTrainer;

  beforeAll(async () => {
    oracle = await startFakeServer((_request, response) => void response.writeHead(201).end('{}'));
    trainer = await startStandInTrainer({
      secret: SECRET,
      oracleUrl: oracle.url,
      baseModel: () => 'llama-3-8b',
      quality: (_agent, n) => learningCurve(0.5, 0.9)(n),
    });
  });
  afterAll(async () => {
    await trainer?.close();
    await oracle?.close();
  });

  const post = (body: string, signature?: string) =>
    fetch(trainer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature && { 'x-metaloop-signature': signature }) },
      body,
    });

  it('refuses unsigned, wrongly signed and stale requests', async () => {
    const body = JSON.stringify(message);
    expect((await post(body)).status).toBe(401);
    expect((await post(body, sign(body, 'another-secret-0123456789'))).status).toBe(401);
    expect((await post(body, sign(body, SECRET, Math.floor(Date.now() / 1000) - 3_600))).status).toBe(401);
    expect(signatureValid(SECRET, sign(body), `${body} `, 300)).toBe(false);
    expect(oracle.received).toEqual([]);
  });

  it('registers a lora candidate linked to the request, whose true quality only the simulator knows', async () => {
    const body = JSON.stringify(message);
    expect((await post(body, sign(body))).status).toBe(202);
    await new Promise<void>((resolve) => {
      const poll = () => (trainer.trained.size > 0 ? resolve() : setTimeout(poll, 20));
      poll();
    });
    const adapterId = adapterIdOf(message);
    expect(oracle.received.map((r) => [r.method, r.path, JSON.parse(r.body)])).toEqual([
      [
        'POST',
        '/api/v1/agents/writer/candidates',
        {
          type: 'lora',
          adapter_id: adapterId,
          base_model: 'llama-3-8b',
          source: `sim://stand-in-trainer/${message.dataset_id}`,
          training_request_id: message.training_request_id,
        },
      ],
    ]);
    const quality = learningCurve(0.5, 0.9)(600);
    expect(trainer.trained.get(adapterId)).toMatchObject({ agentId: 'writer', quality, trainExamples: 600 });
    expect(trainer.qualityOf([adapterId, 'someone-elses'])).toBe(quality);
    expect(trainer.qualityOf(['someone-elses'])).toBeUndefined();
    expect(trainer.errors).toEqual([
      'refused a request with a bad signature',
      'refused a request with a bad signature',
      'refused a request with a bad signature',
    ]);
  });

  it('trains nothing on a dataset without training lines: accepted, no candidate', async () => {
    const empty = {
      ...message,
      training_request_id: '0190aaaa-bbbb-7ccc-8ddd-eeeeffff0002',
      manifest: { counts: { train: 0, validation: 0 } },
    };
    const body = JSON.stringify(empty);
    const registeredBefore = oracle.received.length;
    expect((await post(body, sign(body))).status).toBe(202);
    await new Promise<void>((resolve) => {
      const poll = () => (trainer.skipped.length > 0 ? resolve() : setTimeout(poll, 20));
      poll();
    });
    expect(trainer.skipped).toEqual([
      {
        trainingRequestId: empty.training_request_id,
        agentId: 'writer',
        datasetId: empty.dataset_id,
        trainExamples: 0,
      },
    ]);
    expect(oracle.received).toHaveLength(registeredBefore);
    expect(trainer.trained.has(adapterIdOf(empty))).toBe(false);
  });

  it('learns more from more examples, never past the ceiling', () => {
    const curve = learningCurve(0.5, 0.9);
    expect(curve(0)).toBe(0.5);
    expect(curve(200)).toBe(0.7);
    expect(curve(100_000)).toBeLessThan(0.9);
    expect(curve(2_000)).toBeGreaterThan(curve(200));
  });
});
