import { QUEUES } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { bullmqConnection } from '@metaloop/messaging';
import { testEnv } from '@metaloop/testing';
import { Queue } from 'bullmq';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

describe('concurrent execute of one plan', () => {
  let h: OracleHarness;
  let plansQueue: Queue;

  beforeAll(async () => {
    h = await oracleHarness('execute_once');
    plansQueue = new Queue(QUEUES.plans, {
      connection: bullmqConnection(testEnv.TEST_REDIS_URL, 'execute-once-spec'),
      prefix: h.prefix,
    });
  });
  afterAll(async () => {
    await plansQueue?.obliterate({ force: true }).catch(() => undefined);
    await plansQueue?.close();
    await h?.dispose();
  });

  const post = (url: string, payload: object) => h.apps[0]!.inject({ method: 'POST', url, payload });

  /** A fresh draft plan with one prompt mutation for an agent of its own. */
  async function draftPlan(agentId: string): Promise<string> {
    const config = { model: 'gpt-4o', prompt: { version: 'v1', template: 'You are helpful.' } };
    expect((await post('/api/v1/agents', { agent_id: agentId, environment: 'dev', config })).statusCode).toBe(201);
    const candidate = { type: 'prompt', version: 'v2', template: 'You are helpful and brief.' };
    expect((await post(`/api/v1/agents/${agentId}/candidates`, candidate)).statusCode).toBe(201);
    const findingId = uuidv7();
    const evidence = { metric: 'rating', test: 'welch_t', statistic: -5.1, p_value: 0.00001, n: 420, baseline_n: 400 };
    await h.query(
      `INSERT INTO findings (id, type, agent_id, revision_id, severity, confidence, summary, evidence, dedup_key)
       VALUES ($1, 'dissatisfaction'::"FindingType", $2, NULL, 'high'::"Severity", 0.95, 'unhappy', $3, $4)`,
      [findingId, agentId, JSON.stringify(evidence), `dissatisfaction:${agentId}`],
    );
    const planned = await post('/api/v1/oracle/plan', { finding_ids: [findingId] });
    expect(planned.statusCode).toBe(201);
    expect(planned.json().plan.mutations).toHaveLength(1);
    return planned.json().plan.plan_id as string;
  }

  it('queues and audits it once; the other calls answer 409', async () => {
    for (const agentId of ['racer_a', 'racer_b', 'racer_c']) {
      const planId = await draftPlan(agentId);
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => post('/api/v1/oracle/execute', { plan_id: planId })),
      );
      expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409, 409, 409, 409]);
      for (const refused of answers.filter((a) => a.statusCode === 409))
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const queued = await h.query(`SELECT id FROM audit_entries WHERE entity_id = $1 AND action = 'plan.queued'`, [
        planId,
      ]);
      expect(queued).toHaveLength(1);
      const [plan] = await h.query<{ status: string }>(`SELECT status::text FROM plans WHERE id = $1`, [planId]);
      expect(plan!.status).toBe('queued');
      expect(await plansQueue.getJob(planId)).toBeDefined();
    }
  });
});
