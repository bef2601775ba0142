import { ModelApi } from '../../__tests__/model-api';
import {
  callModel,
  ModelCallError,
  modelRequest,
  parseModelAnswer,
  SYSTEM_PROMPT,
  type ModelArea,
  type SuggestionModelSettings,
} from './suggestion-model';

const areas: ModelArea[] = [
  {
    area: 'verbose',
    area_kind: 'tag',
    problem: {
      events: 10,
      negatives: 8,
      negative_rate: 0.8,
      complaints: 8,
      corrections: 0,
      mean_rating: 1.8,
      agent_negative_rate: 0.4,
    },
    complaints: ['too long'],
    corrections: [],
    top_signals: [{ signal: 'verbose', count: 8 }],
  },
  {
    area: 'corrections',
    area_kind: 'corrections',
    problem: {
      events: 20,
      negatives: 5,
      negative_rate: 0.25,
      complaints: 0,
      corrections: 5,
      mean_rating: 3,
      agent_negative_rate: 0.4,
    },
    complaints: [],
    corrections: ['use pnpm instead of npm'],
    top_signals: [],
  },
];

const answer = {
  suggestions: [
    {
      area: 'verbose',
      area_kind: 'tag',
      suggestion: '80 % of verbose-tagged answers were rated down',
      prompt_patch: 'Keep answers under 120 words.',
    },
  ],
};

describe('parseModelAnswer', () => {
  it('takes suggestions for areas it asked about, one per area, fenced or not', () => {
    const content = JSON.stringify({
      suggestions: [
        answer.suggestions[0],
        { ...answer.suggestions[0], prompt_patch: 'a second one for the same area' },
        { area: 'billing', area_kind: 'tag', suggestion: 'x', prompt_patch: 'y' },
      ],
    });
    expect(parseModelAnswer('```json\n' + content + '\n```', areas)).toEqual({ suggestions: [answer.suggestions[0]] });
  });

  it.each([
    ['not json at all', 'the model answered no JSON'],
    [
      '{"suggestions": [{"area": "verbose"}]}',
      "the model's answer does not match the schema (suggestions.0.area_kind:",
    ],
    ['{"suggestions": [{"area":"x","area_kind":"tag","suggestion":"s","prompt_patch":"p"}]}', 'suggested nothing'],
    ['{"suggestions": []}', 'suggested nothing'],
  ])('%s → an error', (content, error) => {
    expect(parseModelAnswer(content, areas)).toEqual({ error: expect.stringContaining(error) });
  });
});

describe('callModel against an API that answers like the real one', () => {
  const api = new ModelApi();
  let url: string;
  const settings = (overrides: Partial<SuggestionModelSettings> = {}): SuggestionModelSettings => ({
    kind: 'openai',
    url,
    model: 'test-model',
    apiKey: 'sk-test',
    timeoutMs: 5_000,
    ...overrides,
  });

  beforeAll(async () => {
    url = await api.start();
  });
  afterAll(() => api.stop());

  it('OpenAI: POST /v1/chat/completions with the bearer key, JSON mode and both messages', async () => {
    api.openAi(JSON.stringify(answer));
    const user = modelRequest('agent_a', 'You are helpful.', areas);
    const content = await callModel(settings(), user);
    expect(parseModelAnswer(content, areas)).toEqual(answer);
    const request = api.requests.at(-1)!;
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.body).toMatchObject({
      model: 'test-model',
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: user },
      ],
    });
    expect(JSON.parse(user)).toMatchObject({ agent_id: 'agent_a', prompt_template: 'You are helpful.', areas });
  });

  it('Anthropic: POST /v1/messages with x-api-key, anthropic-version, max_tokens and the system prompt', async () => {
    api.anthropic(JSON.stringify(answer));
    const content = await callModel(settings({ kind: 'anthropic', model: 'claude-test' }), 'the areas');
    expect(parseModelAnswer(content, areas)).toEqual(answer);
    const request = api.requests.at(-1)!;
    expect(request.url).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe('sk-test');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toMatchObject({
      model: 'claude-test',
      system: SYSTEM_PROMPT,
      messages: [{ role: 'user', content: 'the areas' }],
    });
    expect(typeof request.body['max_tokens']).toBe('number');
  });

  it('a 5xx is a ModelCallError naming the status', async () => {
    api.fail(529);
    await expect(callModel(settings({ kind: 'anthropic' }), 'x')).rejects.toThrow(
      new ModelCallError('the model API answered 529: {"error":{"type":"overloaded_error"}}'),
    );
  });

  it('an answer without the content is a ModelCallError', async () => {
    api.fail(200, '{"choices": []}');
    await expect(callModel(settings(), 'x')).rejects.toThrow('the answer has no choices[0].message.content');
    api.fail(200, 'not json');
    await expect(callModel(settings(), 'x')).rejects.toThrow('the model API answered 200 without JSON');
  });

  it('no answer within the timeout is a ModelCallError saying so', async () => {
    api.hang();
    await expect(callModel(settings({ timeoutMs: 200 }), 'x')).rejects.toThrow(
      'the model API did not answer within 200 ms',
    );
  });

  it('an address nobody listens on is a ModelCallError', async () => {
    await expect(callModel(settings({ url: 'http://127.0.0.1:9/v1' }), 'x')).rejects.toThrow(
      'the model API could not be reached',
    );
  });
});
