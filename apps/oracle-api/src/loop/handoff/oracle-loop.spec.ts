import { JOBS, QUEUES } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { eventually, testEnv } from '@metaloop/testing';
import { Queue } from 'bullmq';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { bullmqConnection } from '@metaloop/messaging';

const config = (extra: object = {}) => ({
  model: 'gpt-4o',
  prompt: { version: 'v1', template: 'You are helpful.' },
  params: { temperature: 0.9 },
  ...extra,
});

describe('plan → validate → execute over REST (seed 004 bodies)', () => {
  let h: OracleHarness;
  let plansQueue: Queue;

  beforeAll(async () => {
    h = await oracleHarness('oracle_loop');
    plansQueue = new Queue(QUEUES.plans, {
      connection: bullmqConnection(testEnv.TEST_REDIS_URL, 'oracle-loop-spec'),
      prefix: h.prefix,
    });
  });
  afterAll(async () => {
    await plansQueue?.obliterate({ force: true }).catch(() => undefined);
    await plansQueue?.close();
    await h?.dispose();
  });

  const app = () => h.apps[0]!;
  const post = (url: string, payload?: object) =>
    app().inject({ method: 'POST', url, ...(payload ? { payload } : {}) });

  async function registerAgent(agentId: string, environment: 'dev' | 'prod', candidates: object[]): Promise<void> {
    expect((await post('/api/v1/agents', { agent_id: agentId, environment, config: config() })).statusCode).toBe(201);
    for (const candidate of candidates)
      expect((await post(`/api/v1/agents/${agentId}/candidates`, candidate)).statusCode).toBe(201);
  }

  /** An open finding as the analyzer stores it, with its evidence. */
  async function storeFinding(agentId: string, type: string, evidence: object, severity = 'high'): Promise<string> {
    const id = uuidv7();
    await h.query(
      `INSERT INTO findings (id, type, agent_id, revision_id, severity, confidence, summary, evidence, dedup_key)
       VALUES ($1, $2::"FindingType", $3, NULL, $4::"Severity", 0.95, $5, $6, $7)`,
      [id, type, agentId, severity, `${type} on ${agentId}`, JSON.stringify(evidence), `${type}:${agentId}:${id}`],
    );
    return id;
  }

  const evidence = { metric: 'rating', test: 'welch_t', statistic: -5.1, p_value: 0.00001, n: 420, baseline_n: 400 };

  it('plans for the analysis object, validates and queues the stored plan once', async () => {
    await registerAgent('helpful_assistant', 'dev', [
      { type: 'prompt', version: 'v2', template: 'You are helpful and brief.' },
    ]);
    const findingId = await storeFinding('helpful_assistant', 'dissatisfaction', evidence);
    const { items } = (
      await app().inject({ method: 'GET', url: '/api/v1/oracle/findings?agent_id=helpful_assistant' })
    ).json();
    const analysis = { findings: items, window: { from: new Date().toISOString(), to: new Date().toISOString() } };

    const planned = await post('/api/v1/oracle/plan', { findings: analysis });
    expect(planned.statusCode).toBe(201);
    const { plan, skipped } = planned.json();
    expect(skipped).toEqual([]);
    expect(plan).toMatchObject({
      status: 'draft',
      finding_ids: [findingId],
      mutations: [
        { type: 'PROMPT_PATCH', agent_id: 'helpful_assistant', params: { source: 'candidate', version: 'v2' } },
      ],
    });
    const [finding] = await h.query<{ status: string }>(`SELECT status::text FROM findings WHERE id = $1`, [findingId]);
    expect(finding!.status).toBe('planned');

    const validated = await post('/api/v1/oracle/validate', { plan });
    expect(validated.statusCode).toBe(200);
    expect(validated.json()).toMatchObject({ plan_id: plan.plan_id, overall_passed: true, requires_approval: false });
    expect(validated.json().gates.map((g: { gate: string; status: string }) => [g.gate, g.status])).toEqual([
      ['policy_compliance', 'pass'],
      ['confidence_and_evidence', 'pass'],
      ['resource_safety', 'pass'],
      ['concurrency_safety', 'pass'],
      ['rollback_viability', 'pass'],
      ['rate_budget', 'pass'],
      ['risk_approval', 'pass'],
      ['freeze', 'pass'],
    ]);

    // The seed sends its own copy of the plan: a tampered copy changes nothing.
    const tampered = {
      ...plan,
      mutations: [{ ...plan.mutations[0], params: { source: 'candidate', version: 'evil' } }],
    };
    const executed = await post('/api/v1/oracle/execute', { plan: tampered, dry_run: false });
    expect(executed.statusCode).toBe(202);
    expect(executed.json()).toMatchObject({
      plan_id: plan.plan_id,
      status: 'queued',
      dry_run: false,
      job_id: plan.plan_id,
    });
    const job = await plansQueue.getJob(plan.plan_id);
    expect(job).toMatchObject({ name: JOBS.executePlan, data: { plan_id: plan.plan_id, requested_by: 'anonymous' } });

    const again = await post('/api/v1/oracle/execute', { plan_id: plan.plan_id });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/queued/);

    const stored = (await app().inject({ method: 'GET', url: `/api/v1/oracle/plans/${plan.plan_id}` })).json();
    expect(stored).toMatchObject({
      status: 'queued',
      mutations: [{ params: { version: 'v2' } }],
      validation: { overall_passed: true },
    });
    const audit = await h.query<{ action: string }>(
      `SELECT action FROM audit_entries WHERE entity_id = $1 ORDER BY id`,
      [plan.plan_id],
    );
    expect(audit.map((a) => a.action)).toEqual(['plan.created', 'plan.validated', 'plan.validated', 'plan.queued']);
    expect(await metricValue(h.apps, 'metaloop_plan_validations_total', { outcome: 'passed' })).toBe(2);
  });

  it('proposes dynamic examples for unhappy users once enough good examples are stored, through the gates', async () => {
    await registerAgent('example_rich', 'dev', []);
    const few = await storeFinding('example_rich', 'dissatisfaction', evidence);
    const none = (await post('/api/v1/oracle/plan', { finding_ids: [few] })).json();
    expect(none.skipped).toEqual([expect.objectContaining({ reason: expect.stringMatching(/too few good examples/) })]);

    // 30 stored examples (the policy asks for 20), 2 of them demoted: 28 count.
    for (let i = 0; i < 30; i++)
      await h.query(
        `INSERT INTO examples (id, agent_id, event_id, session_id, source, input, output, quality, content_hash,
                               embedding, embedder, demoted_at, updated_at)
         VALUES ($1, 'example_rich', $2, 's', 'feedback', $3, 'answer', 0.9, $2, '{}', 'test', $4, now())`,
        [uuidv7(), `e${i}`, `question ${i}`, i < 2 ? new Date() : null],
      );
    const findingId = await storeFinding('example_rich', 'dissatisfaction', evidence);
    const { plan } = (await post('/api/v1/oracle/plan', { finding_ids: [findingId] })).json();
    expect(plan.mutations).toEqual([
      expect.objectContaining({
        type: 'MEMORY_UPDATE',
        params: { dynamic_examples: { k: 4, min_similarity: 0.3, max_chars: 8_000 } },
        rationale: expect.stringMatching(/4 most similar of the 28 stored good examples, mean quality 0.9/),
      }),
    ]);
    const validated = (await post('/api/v1/oracle/validate', { plan_id: plan.plan_id })).json();
    expect(validated).toMatchObject({ overall_passed: true, requires_approval: false });
  });

  it('holds a prod model swap for approval, then runs it once approved', async () => {
    await registerAgent('prod_agent', 'prod', [
      { type: 'model', model: 'gpt-4o-mini', provider: 'openai', cost_per_1k_in: 0.15, cost_per_1k_out: 0.6 },
    ]);
    await storeFinding(
      'prod_agent',
      'cost_opportunity',
      { ...evidence, metric: 'cost_usd', candidate_model: 'gpt-4o-mini', cost_saving_ratio: 0.7 },
      'medium',
    );
    const ids = (await h.query<{ id: string }>(`SELECT id FROM findings WHERE agent_id = 'prod_agent'`)).map(
      (r) => r.id,
    );
    const { plan } = (await post('/api/v1/oracle/plan', { finding_ids: ids })).json();
    expect(plan.mutations[0]).toMatchObject({ type: 'MODEL_SWAP', risk: 8 });

    const validation = (await post('/api/v1/oracle/validate', { plan_id: plan.plan_id })).json();
    expect(validation).toMatchObject({ overall_passed: true, requires_approval: true });
    const refused = await post('/api/v1/oracle/execute', { plan_id: plan.plan_id });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      type: 'urn:metaloop:problem:plan-refused',
      detail: expect.stringMatching(/approval/),
      gates: [expect.objectContaining({ gate: 'risk_approval', status: 'needs_approval' })],
    });

    expect(
      (await post(`/api/v1/oracle/plans/${plan.plan_id}/approve`, { reason: 'cheaper, same quality' })).json(),
    ).toMatchObject({ status: 'approved', decided_by: 'anonymous', decision_reason: 'cheaper, same quality' });
    const dry = await post('/api/v1/oracle/execute', { plan_id: plan.plan_id, dry_run: true });
    expect(dry.json()).toMatchObject({ status: 'approved', dry_run: true, job_id: null });
    expect(await plansQueue.getJob(plan.plan_id)).toBeUndefined();
    expect((await post('/api/v1/oracle/execute', { plan_id: plan.plan_id })).statusCode).toBe(202);
  });

  it('refuses a plan while frozen with the gate that said no, and a rejected plan frees its findings', async () => {
    await registerAgent('frozen_agent', 'dev', [{ type: 'prompt', version: 'v2', template: 'Brief.' }]);
    const findingId = await storeFinding('frozen_agent', 'dissatisfaction', evidence);
    const { plan } = (await post('/api/v1/oracle/plan', { finding_ids: [findingId] })).json();
    await h.query(
      `INSERT INTO control_settings (key, value, reason, updated_by, updated_at) VALUES ('freeze', '{"frozen": true}', 'incident', 'test', now())`,
    );
    try {
      const refused = await post('/api/v1/oracle/execute', { plan_id: plan.plan_id });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().gates).toEqual([
        expect.objectContaining({ gate: 'freeze', status: 'fail', reason: expect.stringMatching(/incident/) }),
      ]);
      expect((await app().inject({ method: 'GET', url: `/api/v1/oracle/plans/${plan.plan_id}` })).json().status).toBe(
        'blocked',
      );
      // A blocked plan gives its finding back.
      expect(
        (await h.query<{ status: string }>(`SELECT status::text FROM findings WHERE id = $1`, [findingId]))[0]!.status,
      ).toBe('open');
    } finally {
      await h.query(`DELETE FROM control_settings WHERE key = 'freeze'`);
    }
    expect((await post(`/api/v1/oracle/plans/${plan.plan_id}/reject`, {})).json()).toMatchObject({
      status: 'rejected',
    });
    const [finding] = await h.query<{ status: string }>(`SELECT status::text FROM findings WHERE id = $1`, [findingId]);
    expect(finding!.status).toBe('open');
    // Planned again, the rejected prompt is not proposed a second time.
    const replanned = (await post('/api/v1/oracle/plan', { finding_ids: [findingId] })).json();
    expect(replanned.plan).toMatchObject({
      mutations: [],
      finding_ids: [],
      rationale: expect.stringMatching(/^nothing to roll out: .*no untried registered prompt/),
    });
    expect(replanned.skipped[0].reason).toMatch(/no untried registered prompt/);
  });

  it('stores and validates a posted plan without an id, and answers bad bodies with 400s', async () => {
    const plan = {
      mutations: [
        {
          type: 'PARAM_SET',
          agent_id: 'helpful_assistant',
          params: { set: { temperature: 1.9 } },
          confidence: 0.9,
          risk: 2,
          expected_impact: { metric: 'rating', direction: 'increase', relative_change: 0.1 },
          rationale: 'warmer',
        },
      ],
      confidence: 0.9,
      risk: 2,
      rationale: 'operator',
    };
    const result = (await post('/api/v1/oracle/validate', { plan })).json();
    expect(result.overall_passed).toBe(false);
    const failed = result.gates
      .filter((g: { status: string }) => g.status === 'fail')
      .map((g: { gate: string }) => g.gate);
    expect(failed).toEqual(expect.arrayContaining(['confidence_and_evidence', 'resource_safety']));
    expect((await post('/api/v1/oracle/validate', {})).statusCode).toBe(400);
    expect((await post('/api/v1/oracle/plan', { findings: [{ nope: true }] })).json().errors[0].path).toMatch(
      /^findings/,
    );
    expect((await post('/api/v1/oracle/execute', { dry_run: true })).statusCode).toBe(400);
    expect((await app().inject({ method: 'GET', url: '/api/v1/oracle/plans/not-a-uuid' })).statusCode).toBe(400);
    expect((await app().inject({ method: 'GET', url: `/api/v1/oracle/plans/${uuidv7()}` })).statusCode).toBe(404);
  });

  it('lists plans by status and agent, a page at a time', async () => {
    const queued = (await app().inject({ method: 'GET', url: '/api/v1/oracle/plans?status=queued&limit=1' })).json();
    expect(queued.items).toHaveLength(1);
    expect(queued.next_cursor).not.toBeNull();
    const next = (
      await app().inject({
        method: 'GET',
        url: `/api/v1/oracle/plans?status=queued&limit=1&cursor=${queued.next_cursor}`,
      })
    ).json();
    expect(next.items[0].plan_id).not.toBe(queued.items[0].plan_id);
    const byAgent = (await app().inject({ method: 'GET', url: '/api/v1/oracle/plans?agent_id=prod_agent' })).json();
    expect(byAgent.items.map((p: { mutations: Array<{ agent_id: string }> }) => p.mutations[0]!.agent_id)).toEqual([
      'prod_agent',
    ]);
    // Refreshed off the scrape path, every few seconds.
    await eventually(
      async () => expect(await metricValue(h.apps, 'metaloop_oracle_plans', { status: 'queued' })).toBe(2),
      15_000,
    );
  });
});
