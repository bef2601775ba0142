import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { json, localServer, type LocalServer, type Received } from './__tests__/http-server';
import { MetaloopClient, type MetaloopClientOptions } from './client';
import { MetaloopError } from './errors';
import type { AgentConfig, ServedConfig } from './wire';

const baseConfig: AgentConfig = {
  model: 'gpt-4o-mini',
  prompt: { version: 'v1', template: 'You are a helpful assistant.' },
  params: { temperature: 0.7 },
  lora: [],
  memory: [],
  examples: [],
};

/** feedback-api's config route: a body per session (half the sessions on the canary), its ETag, 304 on If-None-Match. */
function serveConfig(request: Received, res: ServerResponse, version = 'v1'): void {
  const url = new URL(request.path, 'http://x');
  const session = url.searchParams.get('session_id') ?? (request.body as { session_id: string }).session_id;
  const arm = createHash('sha256').update(session).digest()[0]! % 2 === 0 ? 'canary' : 'stable';
  const served: ServedConfig = {
    agent_id: 'agent',
    revision_id: `rev_${arm}_${version}`,
    rollout_id: 'rollout-1',
    arm,
    config: { ...baseConfig, prompt: { version: `${version}-${arm}`, template: 'You are a helpful assistant.' } },
  };
  const body = JSON.stringify(served);
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
  if (request.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', etag });
  res.end(body);
}

describe('config with ETag revalidation and a last-known fallback (against a real HTTP server in this process)', () => {
  let server: LocalServer;
  const errors: MetaloopError[] = [];
  const client = (config: MetaloopClientOptions['config'] = {}) =>
    new MetaloopClient({ baseUrl: server.url, config, onError: (error) => errors.push(error) });

  beforeEach(async () => {
    errors.length = 0;
    server = await localServer((request, res) => serveConfig(request, res));
  });

  afterEach(() => server.close());

  it('serves from memory while fresh: one request for many calls, the same object each time', async () => {
    const sdk = client({ maxAgeMs: 60_000 });
    const first = await sdk.config('agent', { sessionId: 'session-1' });
    expect(first).toMatchObject({
      stale: false,
      config: { model: 'gpt-4o-mini' },
      served: { rollout_id: 'rollout-1' },
    });
    for (let i = 0; i < 100; i++) expect(await sdk.config('agent', { sessionId: 'session-1' })).toBe(first);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.path).toBe('/api/v1/agents/agent/config?session_id=session-1');
    expect(sdk.stats()).toMatchObject({ configCalls: 101, configCacheHits: 100, configFetched: 1, notModified: 0 });
  });

  it('revalidates with If-None-Match once stale: 304s keep the config and the sticky arm', async () => {
    const sdk = client({ maxAgeMs: 0 });
    const sessions = Array.from({ length: 20 }, (_, i) => `session-${i}`);
    const arms = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (const sessionId of sessions) {
        const { served, stale } = await sdk.config('agent', { sessionId });
        expect(stale).toBe(false);
        if (round === 0) arms.set(sessionId, served!.arm);
        else expect(served!.arm).toBe(arms.get(sessionId));
      }
    }
    expect(new Set(arms.values())).toEqual(new Set(['stable', 'canary']));
    const revalidations = server.received.filter((r) => r.headers['if-none-match'] !== undefined);
    expect(revalidations).toHaveLength(40);
    expect(sdk.stats()).toMatchObject({ configFetched: 20, notModified: 40, staleServes: 0 });
  });

  it('takes a changed config (new ETag) on revalidation', async () => {
    const sdk = client({ maxAgeMs: 0 });
    expect((await sdk.config('agent', { sessionId: 's' })).config!.prompt.version).toMatch(/^v1-/);
    server.handle((request, res) => serveConfig(request, res, 'v2'));
    expect((await sdk.config('agent', { sessionId: 's' })).config!.prompt.version).toMatch(/^v2-/);
    expect(sdk.stats()).toMatchObject({ configFetched: 2, notModified: 0 });
  });

  it('sends subject_id and query, and a long query as a POST body', async () => {
    const sdk = client();
    await sdk.config('agent', { sessionId: 's', subjectId: 'user-9', query: 'how do I deploy?' });
    expect(server.received[0]!.path).toBe(
      '/api/v1/agents/agent/config?session_id=s&subject_id=user-9&query=how+do+I+deploy%3F',
    );
    const long = 'x'.repeat(5_000);
    await sdk.config('agent', { sessionId: 's', query: long });
    expect(server.received[1]).toMatchObject({
      method: 'POST',
      path: '/api/v1/agents/agent/config',
      body: { session_id: 's', query: long },
    });
  });

  it('serves the last known config, saying so, when metaloop is unreachable; never throws', async () => {
    const sdk = client({ maxAgeMs: 0 });
    const known = await sdk.config('agent', { sessionId: 'session-1' });
    await server.close();
    const stale = await sdk.config('agent', { sessionId: 'session-1' });
    expect(stale).toMatchObject({ stale: true, config: known.config, served: known.served });
    expect(stale.reason).toMatch(/config of agent/);
    // Within the pause after a failure, calls answer at once, without trying the network.
    const again = await sdk.config('agent', { sessionId: 'session-1' });
    expect(again).toMatchObject({ stale: true, config: known.config, reason: expect.stringMatching(/unavailable/) });
    expect(sdk.stats()).toMatchObject({ staleServes: 2, configErrors: 2 });
    expect(errors.every((e) => e.kind === 'config')).toBe(true);
  });

  it("gives a session it never saw the agent's last stable config, and an unknown agent the fallback", async () => {
    const sdk = new MetaloopClient({
      baseUrl: server.url,
      config: { fallback: (agentId) => (agentId === 'other' ? { ...baseConfig, model: 'fallback-model' } : undefined) },
    });
    let stableSession = '';
    for (let i = 0; !stableSession; i++) {
      const { served } = await sdk.config('agent', { sessionId: `probe-${i}` });
      if (served!.arm === 'stable') stableSession = `probe-${i}`;
    }
    await server.close();
    const unseen = await sdk.config('agent', { sessionId: 'never-seen' });
    expect(unseen).toMatchObject({ stale: true, served: { arm: 'stable' } });
    expect(await sdk.config('other', { sessionId: 'x' })).toMatchObject({
      stale: true,
      served: undefined,
      config: { model: 'fallback-model' },
    });
    expect(await sdk.config('third', { sessionId: 'x' })).toMatchObject({ stale: true, config: undefined });
  });

  it('answers within the timeout budget from the cache when metaloop is slow, and takes the late answer', async () => {
    const sdk = client({ maxAgeMs: 0, timeoutMs: 50 });
    const known = await sdk.config('agent', { sessionId: 's' });
    let release: () => void = () => undefined;
    server.handle(async (request, res) => {
      await new Promise<void>((resolve) => (release = resolve));
      serveConfig(request, res, 'v2');
    });
    const slow = await sdk.config('agent', { sessionId: 's' });
    expect(slow).toMatchObject({ stale: true, config: known.config, reason: 'no answer within 50 ms' });
    expect(sdk.stats().configTimeouts).toBe(1);
    release();
    await new Promise<void>((resolve) => {
      const poll = () => (sdk.stats().configFetched === 2 ? resolve() : setTimeout(poll, 5));
      poll();
    });
  });

  it('shares one request among concurrent calls for the same session', async () => {
    const sdk = client();
    const results = await Promise.all(Array.from({ length: 10 }, () => sdk.config('agent', { sessionId: 's' })));
    expect(server.received).toHaveLength(1);
    expect(new Set(results.map((r) => r.served!.revision_id)).size).toBe(1);
  });

  it('throws a MetaloopError instead when asked to', async () => {
    const sdk = client({ throwOnError: true });
    server.handle((_request, res) => json(res, 404, { title: 'Not Found', detail: 'no agent "nope"' }));
    await expect(sdk.config('nope', { sessionId: 's' })).rejects.toThrow(MetaloopError);
    await expect(sdk.config('nope', { sessionId: 's' })).rejects.toMatchObject({ kind: 'config' });
  });

  it('answers, never throws, when the fetch itself throws at once', async () => {
    const sdk = new MetaloopClient({
      baseUrl: server.url,
      fetch: () => {
        throw new TypeError('fetch failed at once');
      },
      config: { fallback: baseConfig },
    });
    expect(await sdk.config('agent', { sessionId: 's' })).toMatchObject({
      stale: true,
      config: baseConfig,
      reason: expect.stringMatching(/fetch failed at once/),
    });
  });

  it('keeps at most cacheSize configs', async () => {
    const sdk = client({ cacheSize: 5, maxAgeMs: 60_000 });
    for (let i = 0; i < 10; i++) await sdk.config('agent', { sessionId: `s-${i}` });
    await sdk.config('agent', { sessionId: 's-9' }); // kept
    await sdk.config('agent', { sessionId: 's-0' }); // forgotten: asked again
    expect(server.received.map((r) => new URL(r.path, 'http://x').searchParams.get('session_id')).slice(10)).toEqual([
      's-0',
    ]);
  });
});
