import { createHash } from 'node:crypto';
import type { AuditPage, DatasetResponse, ExampleSearchResponse, TrainingChainResponse } from '@metaloop/contracts';
import { createRandom } from '@metaloop/stats';
import { eventually } from '@metaloop/testing';
import { startStandInTrainer, type StandInTrainer } from '../../apps/simulator/src/trainer/stand-in-trainer';
import { APPS, startMesh, type Mesh } from './mesh';
import { BASE_CONFIG, fastPolicyFile, getJson, post, registerAgent, rolloutDetail, sql } from './rollout-driver';

/**
 * The learning flywheel of issue 15 on the running mesh, through the public API: feedback with
 * artifacts becomes examples; the retrain trigger builds a dataset (counts per filter stage as
 * sent) and hands a training request to the stand-in trainer (signed webhook); the trainer
 * registers a LoRA candidate for the request; the planner attaches it, it canaries, users like
 * it better, it is promoted; the request's chain and the audit log link every step.
 */
const AGENT = 'flywheel_writer';
const SECRET = 'flywheel-trainer-secret-0123456789';

interface Sent {
  session: string;
  explicit: Record<string, unknown>;
  implicit: Record<string, unknown>;
  artifacts?: { input: string; output: string };
}

const topic = (i: number) => ({
  input: `How do I ${['reset my password', 'export my data', 'change the plan', 'add a teammate'][i % 4]} (case ${i})?`,
  output: `Open settings, then follow step ${i}: it takes a minute.`,
});
const good = { rating: 5, helpful: true };
const success = { success: true, response_time_ms: 300 };

/**
 * What the test sends before the trigger, and what each kind must become:
 * 16 good (examples, dataset), 4 repeats of good content (deduplicated), 2 good later complained
 * about in their session (demoted examples; each complaint has no artifacts), 2 lukewarm rating 3
 * (quality 0.78: examples, but not positive for training), 3 bad (neither), 5 good without artifacts.
 */
function feedbackPlan(): Sent[] {
  const sent: Sent[] = [];
  for (let i = 0; i < 16; i++)
    sent.push({ session: `good-${i}`, explicit: good, implicit: success, artifacts: topic(i) });
  for (let i = 0; i < 4; i++)
    sent.push({ session: `repeat-${i}`, explicit: good, implicit: success, artifacts: topic(i) });
  for (let i = 0; i < 2; i++)
    sent.push({ session: `demoted-${i}`, explicit: good, implicit: success, artifacts: topic(16 + i) });
  for (let i = 0; i < 2; i++)
    sent.push({
      session: `lukewarm-${i}`,
      explicit: { rating: 3, helpful: true },
      implicit: success,
      artifacts: topic(20 + i),
    });
  for (let i = 0; i < 3; i++)
    sent.push({
      session: `bad-${i}`,
      explicit: { rating: 1, helpful: false },
      implicit: { success: false, response_time_ms: 900 },
      artifacts: { input: topic(30 + i).input, output: 'I do not know.' },
    });
  for (let i = 0; i < 5; i++) sent.push({ session: `plain-${i}`, explicit: good, implicit: success });
  return sent;
}
const COMPLAINTS: Sent[] = [0, 1].map((i) => ({
  session: `demoted-${i}`,
  explicit: { rating: 1, complaint: 'the steps were wrong' },
  implicit: { success: false, response_time_ms: 400 },
}));
const EVENTS = feedbackPlan().length + COMPLAINTS.length; // 34

describe('the learning flywheel: feedback → examples → dataset → trainer → candidate → canary → promoted', () => {
  let mesh: Mesh;
  let trainer: StandInTrainer;
  let oracle: string;
  let feedback: string;
  const stages: Record<string, number> = {};
  let clock = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    stages[name] = Math.round(now - clock);
    clock = now;
  };

  beforeAll(async () => {
    const policy = fastPolicyFile({
      canary: { steps: [50, 100], analysis_interval_seconds: 1, min_samples_per_arm: 30, max_step_duration_minutes: 3 },
      thresholds: { retrain: { new_samples: EVENTS, cooldown_hours: 24 } },
      learning: {
        dicl: { enabled: false },
        datasets: { rehearsal_share: 0, validation_share: 0.2, seed: 7 },
      },
    });
    // The trainer registers on oracle-api, whose port is known once the mesh is up: it reads it late.
    let oracleUrl = '';
    trainer = await startStandInTrainer({
      secret: SECRET,
      get oracleUrl() {
        return oracleUrl;
      },
      baseModel: () => BASE_CONFIG.model,
      quality: () => 0.9,
    });
    mesh = await startMesh('flywheel', {
      POLICIES_PATH: policy,
      TICK_INTERVAL_MINUTES: '0',
      TRAINER_URL: trainer.url,
      TRAINER_SECRET: SECRET,
    });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    oracle = oracleUrl = mesh.apps['oracle-api'].url;
    feedback = mesh.apps['feedback-api'].url;
    await registerAgent(mesh, AGENT, []);
    lap('mesh');
  }, 120_000);

  afterAll(async () => {
    await trainer?.close();
    await mesh?.stop();
  });

  const send = (event: Sent) =>
    post(
      `${feedback}/api/v1/feedback/collect`,
      {
        agent_id: AGENT,
        session_id: event.session,
        explicit: event.explicit,
        implicit: event.implicit,
        ...(event.artifacts && { artifacts: event.artifacts }),
      },
      202,
    );
  const tick = () => post(`${oracle}/api/v1/oracle/tick`, { time_window_hours: 0.05 });

  let requestId: string;
  let dataset: DatasetResponse;

  it('keeps good feedback with artifacts as examples: one per content, demoted after a complaint, searchable', async () => {
    for (const event of feedbackPlan()) await send(event);
    for (const event of COMPLAINTS) await send(event);
    const rows = await eventually(
      async () => {
        const [{ events }] = await sql<{ events: number }>(
          mesh,
          `SELECT count(*)::int AS events FROM feedback_events WHERE agent_id = $1`,
          [AGENT],
        );
        const examples = await sql<{ input: string; demoted: boolean }>(
          mesh,
          `SELECT input, demoted_at IS NOT NULL AS demoted FROM examples WHERE agent_id = $1 ORDER BY input`,
          [AGENT],
        );
        if (events !== EVENTS || examples.filter((e) => e.demoted).length !== 2)
          throw new Error(`${events} events, ${examples.length} examples so far`);
        return examples;
      },
      30_000,
      200,
    );
    const expected = (ids: number[]) => ids.map((i) => topic(i).input).sort();
    // 16 good (4 repeats add nothing) + 2 lukewarm are active; the 2 complained about are demoted; the bad none.
    expect(rows.filter((r) => !r.demoted).map((r) => r.input)).toEqual(
      expected([...Array.from({ length: 16 }, (_, i) => i), 20, 21]),
    );
    expect(rows.filter((r) => r.demoted).map((r) => r.input)).toEqual(expected([16, 17]));

    const found = await eventually(async () => {
      const answer = (await post(`${feedback}/api/v1/agents/${AGENT}/examples/search`, {
        query: topic(5).input,
        k: 3,
      })) as ExampleSearchResponse;
      if (answer.examples.length === 0) throw new Error('feedback-api has no examples yet');
      return answer;
    }, 15_000);
    expect(found.examples[0]).toMatchObject(topic(5));
    const demoted = (await post(`${feedback}/api/v1/agents/${AGENT}/examples/search`, {
      query: topic(16).input,
      k: 20,
    })) as ExampleSearchResponse;
    expect(demoted.examples.map((e) => e.input)).not.toContain(topic(16).input);
    lap('examples');
  }, 60_000);

  it('fires the retrain trigger and builds a dataset whose counts per stage are what was sent', async () => {
    /*
     * The analyzer counts new samples per agent from the next whole hour after it first sees the
     * agent (hourly rollups tell counted hours apart), so a trigger by sample count cannot fire
     * within an agent's first hour. The test starts the agent's count an hour ago instead of
     * waiting for it: the state the analyzer would have written had it seen the agent then.
     */
    await sql(
      mesh,
      `INSERT INTO retrain_state (agent_id, first_seen_at, samples_since, last_triggered_at, last_reason, updated_at)
       VALUES ($1, now() - interval '2 hours', date_trunc('hour', now()) - interval '1 hour', NULL, NULL, now())`,
      [AGENT],
    );
    requestId = await eventually(
      async () => {
        await tick();
        const [request] = await sql<{ id: string }>(
          mesh,
          `SELECT id::text FROM training_requests WHERE agent_id = $1`,
          [AGENT],
        );
        if (!request) throw new Error('no training request yet');
        return request.id;
      },
      30_000,
      500,
    );
    const findings = await sql<{ type: string; reason: string }>(
      mesh,
      `SELECT type::text, evidence->>'reason' AS reason FROM findings WHERE agent_id = $1 AND type = 'retrain_trigger'`,
      [AGENT],
    );
    expect(findings).toEqual([{ type: 'retrain_trigger', reason: 'sample_count' }]);

    const chain = await getJson<TrainingChainResponse>(`${oracle}/api/v1/training-requests/${requestId}`);
    dataset = await eventually(async () => {
      const d = await getJson<DatasetResponse>(`${oracle}/api/v1/datasets/${chain.dataset.dataset_id}`);
      if (d.status !== 'ready') throw new Error(`dataset ${d.status} ${d.error ?? ''}`);
      return d;
    }, 20_000);
    const counts = dataset.manifest!.counts;
    expect(counts).toEqual({
      scanned: EVENTS, // 34
      with_artifacts: 27, // all but 5 plain and 2 complaints
      quality_passed: 24, // the 3 bad fall below 0.7
      positive: 22, // the 2 rated 3 are not positive
      deduplicated: 18, // the 4 repeats
      rehearsal_added: 0,
      train: expect.any(Number),
      validation: expect.any(Number),
    });
    expect(counts.train + counts.validation).toBe(18);

    const lines: Array<{ messages: Array<{ role: string; content: string }> }> = [];
    for (const file of ['train', 'validation'] as const) {
      const response = await fetch(`${oracle}/api/v1/datasets/${dataset.dataset_id}/files/${file}`);
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(createHash('sha256').update(body).digest('hex')).toBe(dataset.manifest!.files[file].sha256);
      const parsed = body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as (typeof lines)[number]);
      expect(parsed).toHaveLength(counts[file]);
      lines.push(...parsed);
    }
    for (const line of lines) {
      expect(line.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(line.messages[1]!.content).not.toBe('I do not know.');
    }
    expect(new Set(lines.map((l) => l.messages[0]!.content)).size).toBe(18);
    lap('dataset');
  }, 60_000);

  it('hands the request to the trainer, which registers a LoRA candidate that completes it', async () => {
    const adapter = await eventually(
      () => {
        const trained = [...trainer.trained.values()].find((t) => t.trainingRequestId === requestId);
        if (!trained) throw new Error(`the trainer has nothing yet (${trainer.errors.join('; ')})`);
        return trained;
      },
      30_000,
      200,
    );
    expect(trainer.errors).toEqual([]);
    expect(adapter).toMatchObject({
      agentId: AGENT,
      datasetId: dataset.dataset_id,
      trainExamples: dataset.manifest!.counts.train,
    });
    const chain = await getJson<TrainingChainResponse>(`${oracle}/api/v1/training-requests/${requestId}`);
    expect(chain.training_request).toMatchObject({ status: 'completed', reason: 'sample_count' });
    expect(chain.candidate).toMatchObject({ type: 'lora', key: adapter.adapterId });
    const delivered = chain.audit.find((a) => a.action === 'training.delivered');
    expect(delivered?.details).toMatchObject({ channels: expect.arrayContaining(['nats', 'webhook']) });
    lap('trainer');
  }, 60_000);

  it('attaches the trained adapter on a canary and promotes it when its users are happier', async () => {
    const adapterId = [...trainer.trained.keys()][0]!;
    const random = createRandom(15);
    let session = 0;
    let running = true;
    const drive = async () => {
      while (running) {
        await Promise.all(
          Array.from({ length: 12 }, async () => {
            const id = `canary-${session++}`;
            const served = await getJson<{ config: { lora?: string[] } }>(
              `${feedback}/api/v1/agents/${AGENT}/config?session_id=${id}`,
            );
            const happy = random.next() < (served.config.lora?.includes(adapterId) ? 0.9 : 0.4);
            await send({
              session: id,
              explicit: { rating: happy ? 5 : 2, helpful: happy },
              implicit: { success: happy, response_time_ms: 350 },
            });
          }).map((p) => p.catch(() => undefined)),
        );
      }
    };
    const traffic = drive();
    try {
      await eventually(
        async () => {
          await tick();
          const [rollout] = await sql<{ status: string }>(
            mesh,
            `SELECT r.status::text FROM rollouts r JOIN mutations m ON m.id = r.mutation_id
              WHERE r.agent_id = $1 AND m.type = 'LORA_APPLY' AND m.params->>'adapter_id' = $2`,
            [AGENT, adapterId],
          );
          if (rollout?.status !== 'promoted') throw new Error(`rollout: ${rollout?.status ?? 'none yet'}`);
        },
        70_000,
        1_000,
      );
    } finally {
      running = false;
      await traffic;
    }
    const stable = await getJson<{ config: { lora: string[] } }>(
      `${feedback}/api/v1/agents/${AGENT}/config?session_id=after-${session}`,
    );
    expect(stable.config.lora).toContain(adapterId);
    lap('canary');
  }, 90_000);

  it('links dataset → request → candidate → plan → rollout in the chain and the audit log', async () => {
    const chain = await getJson<TrainingChainResponse>(`${oracle}/api/v1/training-requests/${requestId}`);
    expect(chain.dataset.dataset_id).toBe(dataset.dataset_id);
    expect(chain.mutations).toEqual([
      expect.objectContaining({ type: 'LORA_APPLY', rollout_status: 'promoted', rollout_id: expect.any(String) }),
    ]);
    const { plan_id: planId, rollout_id: rolloutId } = chain.mutations[0]!;
    const actions = chain.audit.map((a) => `${a.entity_type}:${a.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'training_request:training.requested',
        'dataset:dataset.built',
        'training_request:training.delivered',
        'training_request:training.completed',
        'plan:plan.created',
        'rollout:rollout.promoted',
      ]),
    );
    const completed = chain.audit.find((a) => a.action === 'training.completed')!;
    expect(completed.details).toMatchObject({
      dataset_id: dataset.dataset_id,
      candidate_id: chain.candidate!.candidate_id,
    });

    // The same links in the public audit log, read per entity.
    const audit = async (query: string) =>
      (await getJson<AuditPage>(`${oracle}/api/v1/oracle/audit?${query}&limit=100`)).items.map((a) => a.action);
    expect(await audit(`entity_type=dataset&entity_id=${dataset.dataset_id}`)).toContain('dataset.built');
    expect(await audit(`entity_type=training_request&entity_id=${requestId}`)).toEqual(
      expect.arrayContaining(['training.requested', 'training.delivered', 'training.completed']),
    );
    expect(await audit(`entity_type=plan&entity_id=${planId}`)).toContain('plan.created');
    expect(await audit(`entity_type=rollout&entity_id=${rolloutId}`)).toContain('rollout.promoted');
    // Promoted on the canary's evidence, with the score's lift over the rule's 5 %.
    const { decisions } = await rolloutDetail(mesh, rolloutId!);
    // (a clear winner may be promoted from the 50 % step, before 100 %)
    const steps = decisions.map((d) => d.action).filter((a) => a !== 'inconclusive');
    expect(steps[0]).toBe('start');
    expect(steps.at(-1)).toBe('promote');
    expect(steps).not.toContain('rollback');
    const [promotion] = (
      await getJson<AuditPage>(`${oracle}/api/v1/oracle/audit?entity_id=${rolloutId}&action=rollout.promoted`)
    ).items;
    const lift = (promotion!.details as { score: { lift: number; min_lift: number } }).score;
    expect(lift.min_lift).toBe(0.05);
    expect(lift.lift).toBeGreaterThanOrEqual(0.05);
    // The plan cites the request and the dataset it came from.
    const [plan] = await sql<{ rationale: string }>(mesh, `SELECT rationale FROM plans WHERE id = $1`, [planId]);
    expect(plan!.rationale).toContain(requestId);
    expect(plan!.rationale).toContain(dataset.dataset_id);

    const c = dataset.manifest!.counts;
    console.log(
      `flywheel: ${EVENTS} events → 18 examples (2 demoted) → dataset scanned ${c.scanned}, artifacts ${c.with_artifacts}, quality ${c.quality_passed}, positive ${c.positive}, dedup ${c.deduplicated}, train ${c.train}/val ${c.validation} → ${chain.candidate!.key} promoted (lift ${lift.lift.toFixed(2)}); ms per stage ${JSON.stringify(stages)}`,
    );
  });
});
