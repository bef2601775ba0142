import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { ModelApi } from '../../__tests__/model-api';
import { storeFeedback, times } from './__tests__/feedback-rows';

interface Item {
  suggestion_id: string;
  area: string;
  rule: string;
  source: string;
  fallback_reason?: string;
  prompt_patch: string;
  evidence: Record<string, unknown>;
}

/** The model path through oracle-api, against a local server that answers like OpenAI's API (or fails). */
describe('suggestions from a configured model, and the fallback to the rules', () => {
  const api = new ModelApi();
  let h: OracleHarness;

  const suggest = async (): Promise<Item[]> => {
    const response = await h.apps[0]!.inject({
      method: 'POST',
      url: '/api/v1/oracle/suggestions',
      payload: { agent_id: 'model_agent' },
    });
    expect(response.statusCode).toBe(200);
    return (response.json() as { items: Item[] }).items;
  };

  beforeAll(async () => {
    const url = await api.start();
    h = await oracleHarness('suggestions_model', {
      SUGGESTIONS_MODEL_URL: url,
      SUGGESTIONS_MODEL_KIND: 'openai',
      SUGGESTIONS_MODEL: 'test-model',
      SUGGESTIONS_API_KEY: 'sk-test',
      SUGGESTIONS_MODEL_TIMEOUT_MS: '300',
    });
    await h.apps[0]!.inject({
      method: 'POST',
      url: '/api/v1/agents',
      payload: {
        agent_id: 'model_agent',
        environment: 'dev',
        config: { model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'You answer questions.' } },
      },
    });
    await storeFeedback(h, 'model_agent', [
      ...times(6, () => ({ rating: 1, tags: ['verbose'] })),
      ...times(4, () => ({ rating: 2, tags: ['missing_code'], complaint: 'no example' })),
      ...times(10, () => ({ rating: 5 })),
    ]);
  }, 60_000);
  afterAll(async () => {
    await h?.dispose();
    await api.stop();
  });

  it("uses the model's patch for the areas it answered, the rules' (saying why) for the others", async () => {
    api.openAi(
      JSON.stringify({
        suggestions: [
          {
            area: 'verbose',
            area_kind: 'tag',
            suggestion: '6 of 6 verbose answers were rated 1',
            prompt_patch: 'Reply in at most 100 words.',
          },
        ],
      }),
    );
    const items = await suggest();
    expect(items.map((i) => [i.area, i.source, i.rule, i.fallback_reason])).toEqual([
      ['verbose', 'model', 'model', undefined],
      ['missing_code', 'rules', 'code_examples', 'the model suggested nothing for this area'],
    ]);
    expect(items[0]!.prompt_patch).toBe('Reply in at most 100 words.');
    expect(items[0]!.evidence).toMatchObject({ rule: 'conciseness', rule_prompt_patch: expect.any(String) });
    const request = api.requests.at(-1)!;
    expect(request.headers.authorization).toBe('Bearer sk-test');
    const user = JSON.parse((request.body['messages'] as Array<{ content: string }>)[1]!.content);
    expect(user).toMatchObject({ agent_id: 'model_agent', prompt_template: 'You answer questions.' });
    expect(user.areas.map((a: { area: string }) => a.area)).toEqual(['verbose', 'missing_code']);

    const candidate = await h.apps[0]!.inject({
      method: 'POST',
      url: `/api/v1/oracle/suggestions/${items[0]!.suggestion_id}/candidate`,
    });
    expect(candidate.statusCode).toBe(201);
    expect(candidate.json().template).toBe('You answer questions.\n\nReply in at most 100 words.');
  });

  it.each([
    [
      'an answer that is no JSON',
      () => api.openAi('Sure! Here are my suggestions: be brief.'),
      'the model answered no JSON',
    ],
    [
      'an answer of the wrong shape',
      () => api.openAi('{"suggestions": [{"area": "verbose"}]}'),
      "the model's answer does not match the schema",
    ],
    ['a 503', () => api.fail(503), 'the model API answered 503'],
    ['no answer in time', () => api.hang(), 'the model API did not answer within 300 ms'],
  ])('%s: the rules answer, with the reason', async (_, queue, reason) => {
    queue();
    const items = await suggest();
    expect(items.map((i) => [i.area, i.source, i.rule])).toEqual([
      ['verbose', 'rules', 'conciseness'],
      ['missing_code', 'rules', 'code_examples'],
    ]);
    for (const item of items) expect(item.fallback_reason).toContain(reason);
  });
});
