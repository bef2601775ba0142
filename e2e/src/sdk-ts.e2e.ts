import { MetaloopClient, type MetaloopError } from '@metaloop/sdk';
import { stickyArm } from '@metaloop/registry';
import { eventually } from '@metaloop/testing';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startMesh, type Mesh } from './mesh';
import { fastPolicyFile, promptMutation, queuePlan, registerAgent, sql, waitForRollout } from './rollout-driver';

const AGENT = 'sdk_agent';

/**
 * A TCP proxy in front of feedback-api: the SDK's only address, so feedback-api can be stopped
 * and started again on another port behind it, and so a connection can be cut after the request
 * went through — when the answer starts coming back, the client gets a reset instead.
 */
interface Proxy {
  url: string;
  /** Where connections go from now on. */
  target: string;
  /** Answers to swallow, cutting their connections. */
  cutAnswers: number;
  close(): Promise<void>;
}

async function startProxy(target: string): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const proxy: Proxy = { url: '', target, cutAnswers: 0, close: () => Promise.resolve() };
  const server: Server = createServer((client) => {
    const { hostname, port } = new URL(proxy.target);
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (proxy.cutAnswers > 0) {
        proxy.cutAnswers--;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}

/** feedback-api's own count of config answers for the agent with this result (both arms). */
async function configAnswers(url: string, result: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('metaloop_config_requests_total{'))
    .filter((line) => line.includes(`agent_id="${AGENT}"`) && line.includes(`result="${result}"`))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

const storedEvents = async (mesh: Mesh, agentId: string) =>
  (await sql<{ event_id: string }>(mesh, 'SELECT event_id FROM feedback_events WHERE agent_id = $1', [agentId])).map(
    (row) => row.event_id,
  );

describe('the TypeScript SDK against the mesh', () => {
  let mesh: Mesh;
  let proxy: Proxy;
  const clients: MetaloopClient[] = [];
  const errors: MetaloopError[] = [];
  const client = (options: Partial<ConstructorParameters<typeof MetaloopClient>[0]> = {}) => {
    const sdk = new MetaloopClient({ baseUrl: proxy.url, onError: (error) => errors.push(error), ...options });
    clients.push(sdk);
    return sdk;
  };

  beforeAll(async () => {
    // A rollout that stays at 50 % for the whole suite: half the sessions on each arm.
    const policy = fastPolicyFile({
      canary: {
        steps: [50, 100],
        analysis_interval_seconds: 600,
        min_samples_per_arm: 100_000,
        max_step_duration_minutes: 60,
      },
    });
    mesh = await startMesh('sdk_ts', { POLICIES_PATH: policy });
    await Promise.all(Object.values(mesh.apps).map((app) => app.waitForReady(60_000)));
    proxy = await startProxy(mesh.apps['feedback-api'].url);
    await registerAgent(mesh, AGENT);
    await queuePlan(mesh, [promptMutation(AGENT)]);
    await waitForRollout(mesh, AGENT, (r) => r.status === 'running' && r.weight === 50, 30_000);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((sdk) => sdk.close(1_000)));
    await proxy?.close();
    await mesh?.stop();
  });

  it('revalidates with If-None-Match: 304s counted by the SDK and by feedback-api, each session on its sticky arm', async () => {
    const sdk = client({ config: { maxAgeMs: 0 } });
    const feedbackApi = mesh.apps['feedback-api'].url;
    const before = await configAnswers(feedbackApi, 'not_modified');
    const sessions = Array.from({ length: 40 }, (_, i) => `sdk-session-${i}`);
    const first = new Map<string, { arm: string; revision: string; rollout: string | null }>();
    for (let round = 0; round < 3; round++) {
      for (const sessionId of sessions) {
        const { served, stale } = await sdk.config(AGENT, { sessionId });
        expect(stale).toBe(false);
        const seen = { arm: served!.arm, revision: served!.revision_id, rollout: served!.rollout_id };
        if (round === 0) first.set(sessionId, seen);
        else expect(seen).toEqual(first.get(sessionId));
      }
    }
    // Both arms are served, each session on the arm its bucket gives it (as every replica computes it).
    const rolloutId = first.get(sessions[0]!)!.rollout!;
    expect(new Set([...first.values()].map((s) => s.arm))).toEqual(new Set(['stable', 'canary']));
    for (const [sessionId, { arm }] of first) expect(arm).toBe(stickyArm({ rolloutId, weightBp: 5_000 }, sessionId));
    expect(sdk.stats()).toMatchObject({ configFetched: 40, notModified: 80, staleServes: 0 });
    expect((await configAnswers(feedbackApi, 'not_modified')) - before).toBe(80);
    // While fresh (maxAgeMs), a call never leaves the process.
    const cached = client({ config: { maxAgeMs: 60_000 } });
    await cached.config(AGENT, { sessionId: sessions[0]! });
    for (let i = 0; i < 50; i++) await cached.config(AGENT, { sessionId: sessions[0]! });
    expect(cached.stats()).toMatchObject({ configFetched: 1, configCacheHits: 50 });
  });

  it('counts each event once when connections are cut after feedback-api took the request', async () => {
    const sdk = client({ feedback: { maxBatchSize: 25, lingerMs: 10, backoff: { baseMs: 20, maxMs: 200 } } });
    proxy.cutAnswers = 2;
    const ids = Array.from({ length: 50 }, (_, i) =>
      sdk.feedback({
        agent_id: 'sdk_dedupe',
        session_id: `cut-${i % 5}`,
        explicit: { rating: 4 },
        implicit: { success: true },
      }),
    );
    expect(await sdk.flush(20_000)).toBe(true);
    expect(proxy.cutAnswers).toBe(0);
    const stats = sdk.stats();
    expect(stats).toMatchObject({ sent: 50, dropped: 0 });
    // The cut answers' events were stored the first time: their retry is answered duplicate
    // (two cuts: both batches once, or one batch twice when its retry came back before the other's answer).
    expect(stats.retried).toBeGreaterThanOrEqual(25);
    expect(stats.duplicates).toBeGreaterThanOrEqual(25);
    expect(stats.duplicates).toBeLessThanOrEqual(stats.retried);
    const stored = await eventually(
      async () => {
        const rows = await storedEvents(mesh, 'sdk_dedupe');
        if (rows.length < 50) throw new Error(`${rows.length} of 50 stored`);
        return rows;
      },
      20_000,
      100,
    );
    expect(stored.sort()).toEqual([...ids].sort());
  });

  it('serves the last config while feedback-api is stopped, holds a bounded buffer, and recovers', async () => {
    const sdk = client({
      config: { maxAgeMs: 0, timeoutMs: 500, retryAfterFailureMs: 50 },
      feedback: { maxBatchSize: 20, lingerMs: 10, maxBufferSize: 100, backoff: { baseMs: 50, maxMs: 300 } },
    });
    const known = await sdk.config(AGENT, { sessionId: 'outage-session' });
    expect(known.stale).toBe(false);
    let stableSession = '';
    for (let i = 0; !stableSession; i++)
      if ((await sdk.config(AGENT, { sessionId: `outage-probe-${i}` })).served!.arm === 'stable')
        stableSession = `outage-probe-${i}`;

    expect(await mesh.apps['feedback-api'].stop()).toBe(0);
    const stale = await sdk.config(AGENT, { sessionId: 'outage-session' });
    expect(stale).toMatchObject({ stale: true, config: known.config, served: { arm: known.served!.arm } });
    expect(stale.reason).toBeTruthy();
    const unseen = await sdk.config(AGENT, { sessionId: 'never-seen-before' });
    expect(unseen).toMatchObject({ stale: true, served: { arm: 'stable' } });

    const ids: string[] = [];
    let mostHeld = 0;
    for (let i = 0; i < 400; i++) {
      ids.push(sdk.feedback({ agent_id: 'sdk_outage', session_id: `o-${i % 7}`, implicit: { success: i % 3 > 0 } }));
      const { buffered, inFlight } = sdk.stats();
      mostHeld = Math.max(mostHeld, buffered + inFlight);
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(mostHeld).toBeLessThanOrEqual(100 + 2 * 20);
    const during = sdk.stats();
    expect(during.buffered).toBeLessThanOrEqual(100);
    expect(during.overflow).toBeGreaterThanOrEqual(400 - 100 - 2 * 20);
    expect(during.sent).toBe(0);
    expect(errors.some((e) => e.kind === 'overflow')).toBe(true);

    const restarted = await mesh.spawn('feedback-api');
    await restarted.waitForReady(30_000);
    proxy.target = restarted.url;
    expect(await sdk.flush(20_000)).toBe(true);
    const after = sdk.stats();
    expect(after.sent + after.overflow).toBe(400);
    expect(after.dropped).toBe(after.overflow);
    const stored = await eventually(
      async () => {
        const rows = await storedEvents(mesh, 'sdk_outage');
        if (rows.length < after.sent) throw new Error(`${rows.length} of ${after.sent} stored`);
        return rows;
      },
      20_000,
      100,
    );
    expect(stored).toHaveLength(after.sent);
    expect(stored).toContain(ids.at(-1)); // the newest kept, the oldest dropped
    expect(stored).not.toContain(ids[0]);
    await eventually(
      async () => {
        const fresh = await sdk.config(AGENT, { sessionId: 'outage-session' });
        if (fresh.stale) throw new Error(`still stale: ${fresh.reason}`);
        expect(fresh.served!.arm).toBe(known.served!.arm);
      },
      10_000,
      50,
    );
  });
});
