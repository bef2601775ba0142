import type { ApiKeyGuard } from '@metaloop/auth';
import type { ConfigHarness } from './__tests__/config-harness';

type Response = Awaited<ReturnType<ConfigHarness['getConfig']>>;

interface Request {
  method: 'GET' | 'POST';
  url: string;
  payload?: string;
  headers?: Record<string, string>;
}

interface Mode {
  harness: ConfigHarness;
  /** This mode's ApiKeyGuard class (each mode has its own copy of the modules). */
  guard: typeof ApiKeyGuard;
}

/**
 * The app reads its environment when its module is first imported, so each FAST_ROUTES value
 * gets its own copy of the modules, and its own schema, NATS and Redis prefixes.
 */
async function startMode(fastRoutes: 'on' | 'off'): Promise<Mode> {
  let mode: Mode | undefined;
  await jest.isolateModulesAsync(async () => {
    const [{ configHarness }, { ApiKeyGuard: guard }] = await Promise.all([
      import('./__tests__/config-harness.js'),
      import('@metaloop/auth'),
    ]);
    mode = {
      harness: await configHarness(
        `fast_routes_${fastRoutes}`,
        { FAST_ROUTES: fastRoutes, CONFIG_RESYNC_MS: '3600000' },
        1,
      ),
      guard,
    };
  });
  return mode!;
}

describe('the hot routes (feedback collect, agent config) with FAST_ROUTES on and off', () => {
  let on: Mode;
  let off: Mode;

  beforeAll(async () => {
    on = await startMode('on');
    off = await startMode('off');
    await Promise.all([on, off].map(({ harness }) => harness.createAgent('helpful_assistant')));
  }, 60_000);

  afterAll(async () => {
    await on?.harness.dispose();
    await off?.harness.dispose();
  });

  /** The same request to both apps. */
  async function both(request: Request): Promise<{ on: Response; off: Response }> {
    const headers = { 'x-request-id': 'req-1', ...request.headers };
    const [fast, nest] = await Promise.all(
      [on, off].map(({ harness }) => harness.replicas[0].inject({ ...request, headers })),
    );
    return { on: fast, off: nest };
  }

  /** Status, the headers the routes and the platform set, and the body. */
  function answer(response: Response) {
    const picked = ['content-type', 'etag', 'cache-control', 'retry-after', 'x-request-id'];
    return {
      status: response.statusCode,
      headers: Object.fromEntries(
        picked.filter((name) => response.headers[name] !== undefined).map((name) => [name, response.headers[name]]),
      ),
      body: response.body,
    };
  }

  async function expectSameAnswer(request: Request): Promise<Response> {
    const answers = await both(request);
    expect(answer(answers.off)).toEqual(answer(answers.on));
    return answers.on;
  }

  const collect = (payload: string, contentType = 'application/json'): Request => ({
    method: 'POST',
    url: '/api/v1/feedback/collect',
    payload,
    headers: { 'content-type': contentType },
  });
  const event = {
    event_id: 'evt-fast-routes-1',
    agent_id: 'helpful_assistant',
    session_id: 's1',
    explicit: { rating: 4.5, helpful: true },
  };

  it('accepts an event once JetStream has it, then answers it as a duplicate', async () => {
    expect((await expectSameAnswer(collect(JSON.stringify(event)))).json()).toEqual({
      event_id: event.event_id,
      status: 'accepted',
      duplicate: false,
    });
    expect((await expectSameAnswer(collect(JSON.stringify(event)))).json()).toMatchObject({ duplicate: true });
  });

  it.each([
    [
      'an invalid event',
      JSON.stringify({ ...event, session_id: '', explicit: { rating: 9 } }),
      'application/json',
      400,
    ],
    ['malformed JSON', '{"agent_id":', 'application/json', 400],
    ['another content type', 'agent_id=a', 'text/plain', 415],
  ])('answers %s with the same problem+json', async (_case, payload, contentType, status) => {
    const response = await expectSameAnswer(collect(payload, contentType));
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('serves an agent config with its ETag, then 304 for it', async () => {
    const config = await expectSameAnswer({
      method: 'GET',
      url: '/api/v1/agents/helpful_assistant/config?session_id=s1',
    });
    expect(config.statusCode).toBe(200);
    const notModified = await expectSameAnswer({
      method: 'GET',
      url: '/api/v1/agents/helpful_assistant/config?session_id=s1',
      headers: { 'if-none-match': config.headers['etag'] as string },
    });
    expect(notModified.statusCode).toBe(304);
  });

  it('answers an unknown agent with 404 and a missing session_id with 400, as problem+json', async () => {
    expect(
      (await expectSameAnswer({ method: 'GET', url: '/api/v1/agents/nobody/config?session_id=s1' })).statusCode,
    ).toBe(404);
    expect((await expectSameAnswer({ method: 'GET', url: '/api/v1/agents/helpful_assistant/config' })).statusCode).toBe(
      400,
    );
  });

  it('runs the compiled handlers with FAST_ROUTES=on, Nest with its guard with FAST_ROUTES=off', async () => {
    const guarded = [on, off].map(({ guard }) => jest.spyOn(guard.prototype, 'canActivate'));
    await both({ method: 'GET', url: '/api/v1/agents/helpful_assistant/config?session_id=s1' });
    await both(collect(JSON.stringify({ ...event, event_id: 'evt-fast-routes-2' })));
    expect(guarded.map((spy) => spy.mock.calls.length)).toEqual([0, 2]);
    for (const spy of guarded) spy.mockRestore();
  });
});
