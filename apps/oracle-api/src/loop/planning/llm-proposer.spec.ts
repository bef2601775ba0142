import { uuidv7 } from '@metaloop/core';
import { ModelApi } from '../../__tests__/model-api';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

describe('the optional LLM proposer (a local OpenAI-compatible stand-in)', () => {
  const llm = new ModelApi();
  /** Queues the model's next answer: `content` as the assistant's message, or an error status. */
  const answer = (content: object | string, status = 200) =>
    status === 200
      ? llm.openAi(typeof content === 'string' ? content : JSON.stringify(content))
      : llm.fail(status, '{"error": "overloaded"}');
  let h: OracleHarness;

  beforeAll(async () => {
    const url = await llm.start();
    h = await oracleHarness('llm_proposer', {
      LLM_PROPOSER_URL: url,
      LLM_PROPOSER_MODEL: 'test-model',
      LLM_PROPOSER_API_KEY: 'sk-test',
    });
    const config = { model: 'gpt-4o', prompt: { version: 'v1', template: 'You are helpful.' } };
    await h.apps[0]!.inject({
      method: 'POST',
      url: '/api/v1/agents',
      payload: { agent_id: 'llm_agent', environment: 'dev', config },
    });
  });
  afterAll(async () => {
    await h?.dispose();
    await llm.stop();
  });

  /** A retrain trigger: no LoRA adapter is registered, so no rule fixes it. */
  async function unfixableFinding(): Promise<string> {
    const id = uuidv7();
    await h.query(
      `INSERT INTO findings (id, type, agent_id, severity, confidence, summary, evidence, dedup_key)
       VALUES ($1::uuid, 'retrain_trigger', 'llm_agent', 'medium', 0.9, 'quality dropped 14 %', $2, $1::text)`,
      [id, JSON.stringify({ metric: 'quality', test: 'welch_t', p_value: 0.001, n: 1500 })],
    );
    return id;
  }

  const plan = async (findingId: string) =>
    (
      await h.apps[0]!.inject({ method: 'POST', url: '/api/v1/oracle/plan', payload: { finding_ids: [findingId] } })
    ).json();

  it('asks about findings no rule fixes, and its valid proposal passes the same gates with capped confidence', async () => {
    answer({
      type: 'MEMORY_UPDATE',
      params: { facts: { add: [{ id: 'tone', text: 'Users prefer short, direct answers.', weight: 0.8 }] } },
      confidence: 0.97,
      risk: 1,
      expected_impact: { metric: 'quality', direction: 'increase', relative_change: 0.05 },
      rationale: 'remind the agent what users liked',
    });
    const findingId = await unfixableFinding();
    const { plan: made, skipped } = await plan(findingId);
    expect(skipped).toEqual([]);
    expect(made.mutations[0]).toMatchObject({
      type: 'MEMORY_UPDATE',
      agent_id: 'llm_agent',
      confidence: 0.75,
      risk: 2,
      rationale: expect.stringMatching(/^LLM proposal \(test-model\): remind the agent/),
    });
    const [request] = llm.requests;
    expect(request!.headers.authorization).toBe('Bearer sk-test');
    expect(request!.body).toMatchObject({ model: 'test-model', response_format: { type: 'json_object' } });
    expect(JSON.parse((request!.body.messages as Array<{ content: string }>)[1]!.content)).toMatchObject({
      finding: { type: 'retrain_trigger', summary: 'quality dropped 14 %' },
      agent: { agent_id: 'llm_agent' },
    });

    const validation = (
      await h.apps[0]!.inject({ method: 'POST', url: '/api/v1/oracle/validate', payload: { plan_id: made.plan_id } })
    ).json();
    expect(validation.overall_passed).toBe(true);
    // While that plan is live the agent gets no other; rejected, the agent is free again.
    expect((await plan(await unfixableFinding())).skipped[0]).toMatchObject({
      deferral: 'agent_busy',
      reason: expect.stringMatching(/is validated/),
    });
    await h.apps[0]!.inject({
      method: 'POST',
      url: `/api/v1/oracle/plans/${made.plan_id}/reject`,
      payload: { reason: 'not now' },
    });
  });

  it.each([
    ['prose instead of JSON', 'I think you should retrain.', 200, /answered no JSON/],
    [
      'a mutation that does not parse',
      {
        type: 'MODEL_SWAP',
        params: {},
        confidence: 0.9,
        risk: 3,
        expected_impact: { metric: 'q', direction: 'increase', relative_change: 0.1 },
        rationale: 'r',
      },
      200,
      /no valid mutation \(params\.model/,
    ],
    [
      'nothing to propose',
      { none: 'retraining needs data, not a config change' },
      200,
      /found nothing: retraining needs data/,
    ],
    ['an error', 'overloaded', 503, /failed: 503/],
  ])('keeps the finding skipped, with the reason, when the LLM answers %s', async (_case, content, status, reason) => {
    answer(content, status);
    const { plan: made, skipped } = await plan(await unfixableFinding());
    expect(made.mutations).toEqual([]);
    expect(skipped[0].reason).toMatch(/register the fine-tuned adapter/);
    expect(skipped[0].reason).toMatch(reason);
  });
});
