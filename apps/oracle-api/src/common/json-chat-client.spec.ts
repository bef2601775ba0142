import { ModelApi } from '../__tests__/model-api';
import { JsonChatClient, JsonChatError, type JsonChatFailure, type JsonChatSettings } from './json-chat-client';

describe('JsonChatClient against a local API that answers like the real ones', () => {
  const api = new ModelApi();
  let url: string;
  const client = (overrides: Partial<JsonChatSettings> = {}) =>
    new JsonChatClient({ url, model: 'test-model', apiKey: 'sk-test', timeoutMs: 5_000, ...overrides });
  const ask = { system: 'Answer JSON.', user: '{"q": 1}' };

  /** The call's JsonChatError (the test fails when it resolves or throws anything else). */
  async function failure(call: Promise<unknown>): Promise<JsonChatError> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JsonChatError);
    return error as JsonChatError;
  }
  const expectFailure = async (call: Promise<unknown>, kind: JsonChatFailure, message: string | RegExp) => {
    const error = await failure(call);
    expect(error.failure).toBe(kind);
    expect(error.message).toMatch(message);
    return error;
  };

  beforeAll(async () => {
    url = `${await api.start()}/`; // a trailing slash is allowed
  });
  afterAll(() => api.stop());

  it('OpenAI-compatible: /chat/completions in JSON mode with the bearer key; the parsed answer, fenced or not', async () => {
    api.openAi('{"facet_updates": {"concise": 0.02}}');
    expect(await client().json(ask)).toEqual({ facet_updates: { concise: 0.02 } });
    const request = api.requests.at(-1)!;
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      model: 'test-model',
      temperature: 0,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: 'Answer JSON.' },
        { role: 'user', content: '{"q": 1}' },
      ],
    });
    api.openAi('```json\n{"none": "nothing fits"}\n```');
    expect(await client().json(ask)).toEqual({ none: 'nothing fits' });
  });

  it('without a key no authorization header is sent', async () => {
    api.openAi('{}');
    await client({ apiKey: undefined }).json(ask);
    expect(api.requests.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('Anthropic: /messages with x-api-key, anthropic-version, max_tokens and the system prompt; text() as given', async () => {
    api.anthropic('{"suggestions": []}');
    const anthropic = client({ kind: 'anthropic', model: 'claude-test' });
    expect(await anthropic.text(ask)).toBe('{"suggestions": []}');
    const request = api.requests.at(-1)!;
    expect(request.url).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe('sk-test');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toMatchObject({
      model: 'claude-test',
      system: 'Answer JSON.',
      messages: [{ role: 'user', content: '{"q": 1}' }],
    });
    expect(typeof request.body['max_tokens']).toBe('number');
    api.anthropic('{"ok": true}');
    expect(await anthropic.json(ask)).toEqual({ ok: true });
  });

  it('a non-2xx answer is a status failure carrying the status and the start of the body', async () => {
    api.fail(503, '{"error": "overloaded"}');
    const error = await expectFailure(
      client().json(ask),
      'status',
      'the model API answered 503: {"error": "overloaded"}',
    );
    expect(error.status).toBe(503);
    expect(error.body).toBe('{"error": "overloaded"}');
  });

  it('prose instead of JSON is a bad_json failure', async () => {
    api.openAi('I think you should retrain.');
    await expectFailure(client().json(ask), 'bad_json', 'the model answered no JSON');
  });

  it.each([
    ['openai', '{"choices": []}', 'the answer has no choices[0].message.content'],
    ['anthropic', '{"content": [{"type": "tool_use"}]}', 'the answer has no text content block'],
    ['openai', 'not json', 'the model API answered 200 without JSON'],
  ] as const)('%s: a body without the answer (%s) is a bad_answer failure', async (kind, body, message) => {
    api.fail(200, body);
    await expectFailure(client({ kind }).text(ask), 'bad_answer', message);
  });

  it('no answer within the timeout is a timeout failure saying so', async () => {
    api.hang();
    await expectFailure(client({ timeoutMs: 200 }).json(ask), 'timeout', 'the model API did not answer within 200 ms');
  });

  it('an address nobody listens on is an unreachable failure', async () => {
    await expectFailure(
      client({ url: 'http://127.0.0.1:9/v1' }).json(ask),
      'unreachable',
      /^the model API could not be reached/,
    );
  });
});
