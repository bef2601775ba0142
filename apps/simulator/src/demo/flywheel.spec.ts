import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoFleet } from './demo-fleet';
import { datasetChanges, learnersOf, startFlywheel, TRAINED_CEILING } from './flywheel';
import { waitingFor } from './live-view';

describe('the demo’s learning flywheel', () => {
  it('adds a learner only with the trainer: unhappy, nothing registered, artifacts on its topics, no DICL lift', () => {
    expect(learnersOf(demoFleet({ seed: 1, idPrefix: 'demo-x', regressionAtSeconds: 60 }))).toEqual([]);
    const fleet = demoFleet({ seed: 1, idPrefix: 'demo-x', regressionAtSeconds: 60, learner: true });
    const [learner] = learnersOf(fleet);
    expect(learner).toMatchObject({ agentId: 'demo-x-learner', candidates: [], artifacts: true, diclLift: 0 });
    expect(learner!.topics.length).toBeGreaterThan(0);
    expect(learner!.stable.quality).toBeLessThan(0.5);
    expect(fleet.agents.reduce((sum, a) => sum + a.weight, 0)).toBeCloseTo(1, 10);
  });

  it('prints each dataset once per status, with its counts when ready', () => {
    const seen = new Map<string, string>();
    const building = { dataset_id: 'd1', status: 'building', error: null, manifest: null };
    expect(datasetChanges(seen, [building], 'learner')).toEqual(['⛁ learner: dataset d1 building (retrain trigger)']);
    expect(datasetChanges(seen, [building], 'learner')).toEqual([]);
    const counts = { scanned: 1200, positive: 480, deduplicated: 450, train: 405, validation: 45 };
    expect(datasetChanges(seen, [{ ...building, status: 'ready', manifest: { counts } }], 'learner')).toEqual([
      '⛁ learner: dataset d1 ready — 1200 events scanned, 480 good, 450 distinct: 405 train / 45 validation lines',
    ]);
    expect(
      datasetChanges(seen, [{ dataset_id: 'd2', status: 'failed', error: 'disk full', manifest: null }], 'learner'),
    ).toEqual(['⛁ learner: dataset d2 failed: disk full']);
  });

  it('says the learner is done only once a trained adapter (LORA_APPLY) is promoted', () => {
    const picture = (mutationType: string) => ({
      name: 'learner',
      expect: 'train' as const,
      rollouts: [
        {
          rollout_id: 'r',
          agent_id: 'demo-x-learner',
          plan_id: null,
          status: 'promoted',
          weight: 100,
          step_index: 3,
          steps: [5, 25, 50, 100],
          stable_revision_id: 's',
          candidate_revision_id: 'c',
          mutation_type: mutationType,
          status_reason: null,
          started_at: null,
          finished_at: null,
          created_at: '2026-12-07T10:00:00Z',
        },
      ],
      findings: [],
      canaryShare: 0,
    });
    expect(waitingFor(picture('LORA_APPLY'))).toBe('learner: done — the trained adapter is promoted');
    expect(waitingFor(picture('PROMPT_PATCH'))).toMatch(/^learner: no open finding — waiting for enough feedback/);
  });

  it('runs the stand-in trainer for oracle-api’s signed webhook and reports what it registered', async () => {
    const registered: unknown[] = [];
    const oracle = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        registered.push({ url: request.url, body: text ? (JSON.parse(text) as unknown) : null });
        response.writeHead(request.url?.startsWith('/api/v1/datasets') ? 200 : 201).end('{"items":[]}');
      });
    });
    await new Promise<void>((resolve) => oracle.listen(0, '127.0.0.1', resolve));
    const oracleUrl = `http://127.0.0.1:${(oracle.address() as AddressInfo).port}`;
    const fleet = demoFleet({ seed: 1, idPrefix: 'demo-x', regressionAtSeconds: null, learner: true });
    const lines: string[] = [];
    const secret = 'demo-trainer-secret-0123456789';
    const flywheel = await startFlywheel({
      endpoints: { feedbackUrl: 'http://127.0.0.1:1', oracleUrl },
      fleet,
      port: 0,
      secret,
      log: (line) => lines.push(line),
    });
    try {
      const body = JSON.stringify({
        training_request_id: '0190-aaaa-bbbb-cccc-0123456789ab',
        agent_id: 'demo-x-learner',
        dataset_id: 'd1',
        reason: 'sample_count',
        manifest: { counts: { train: 400, validation: 40 } },
      });
      const t = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      const answer = await fetch(flywheel.trainer.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-metaloop-signature': `t=${t},v1=${signature}` },
        body,
      });
      expect(answer.status).toBe(202);
      // The 202 comes first; closing waits for the registration that follows it.
      await flywheel.close();
      await flywheel.report();
      const [adapter] = flywheel.trainer.trained.values();
      // The learning curve from the learner's stable quality towards the ceiling, half way at 200 examples.
      expect(adapter!.quality).toBeCloseTo(0.4 + (TRAINED_CEILING - 0.4) * (400 / 600), 3);
      expect(registered).toContainEqual({
        url: '/api/v1/agents/demo-x-learner/candidates',
        body: expect.objectContaining({ type: 'lora', training_request_id: '0190-aaaa-bbbb-cccc-0123456789ab' }),
      });
      expect(lines).toEqual([expect.stringMatching(/^⚙ learner: the stand-in trainer got training request 0190-/)]);
    } finally {
      await new Promise<void>((resolve) => oracle.close(() => resolve()));
    }
  });
});
