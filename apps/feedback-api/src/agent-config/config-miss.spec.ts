import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LiveConfigStore } from '@metaloop/registry';
import { eventually, withClient } from '@metaloop/testing';
import { configHarness, type ConfigHarness } from '../__tests__/config-harness';

/** A counter's value in the app's /metrics, summed over the series matching `labels`. */
async function metric(app: NestFastifyApplication, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  let total = 0;
  for (const [, labelText, value] of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (Object.entries(labels).every(([k, v]) => labelText!.includes(`${k}="${v}"`))) total += Number(value);
  }
  return total;
}

/** Resolves when `open()` is called: holds a load that already read Postgres. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('a config cache miss reads Postgres (read-your-writes)', () => {
  let h: ConfigHarness;
  let app: NestFastifyApplication;
  let revisionId: string;
  const sql = (text: string, params: unknown[] = []) =>
    withClient((client) =>
      client.query(
        text.replace(/\{(\w+)\}/g, (_m, table: string) => `"${h.schema.schema}".${table}`),
        params,
      ),
    );
  /** An agent committed to Postgres with no config.changed: only a miss can bring it into the cache. */
  const unannounced = (agentId: string) =>
    sql(
      `INSERT INTO {agents} (id, name, environment, stable_revision_id, updated_at) VALUES ($1, $1, 'dev', $2, now())`,
      [agentId, revisionId],
    );
  const config = (agentId: string, sessionId = 's1') => h.getConfig(app, agentId, sessionId);
  const collect = (body: object) => app.inject({ method: 'POST', url: '/api/v1/feedback/collect', payload: body });

  beforeAll(async () => {
    // No resync and a negative entry that outlives the suite: only a miss or a message can change what is served.
    h = await configHarness(
      'config_miss',
      { CONFIG_RESYNC_MS: '3600000', CONFIG_MISS_TTL_MS: '60000', CONFIG_MISS_MAX_LOADS: '1' },
      1,
    );
    app = h.replicas[0]!;
    revisionId = await h.createAgent('base');
    await eventually(async () => expect((await config('base')).statusCode).toBe(200));
  });

  afterAll(() => h?.dispose());
  afterEach(() => jest.restoreAllMocks());

  it('serves an agent that reached Postgres without its message at the first request', async () => {
    await unannounced('quiet');
    const [missesBefore, loadsBefore] = [
      await metric(app, 'metaloop_config_cache_misses_total', { path: 'request', outcome: 'loaded' }),
      await metric(app, 'metaloop_config_miss_loads_total'),
    ];
    const response = await config('quiet');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ agent_id: 'quiet', revision_id: revisionId, arm: 'stable' });
    expect(await metric(app, 'metaloop_config_cache_misses_total', { path: 'request', outcome: 'loaded' })).toBe(
      missesBefore + 1,
    );
    // From then on a hit: no further load.
    expect((await config('quiet', 's2')).statusCode).toBe(200);
    expect(await metric(app, 'metaloop_config_miss_loads_total', { result: 'found' })).toBe(loadsBefore + 1);
    expect(await metric(app, 'metaloop_config_miss_loads_total')).toBe(loadsBefore + 1);
  });

  it('loads an agent once for all the misses waiting on it, and answers misses beyond the load bound 503, not 404', async () => {
    await unannounced('crowded');
    const store = app.get(LiveConfigStore);
    const read = store.loadLiveStates.bind(store);
    const held = gate();
    const spy = jest.spyOn(store, 'loadLiveStates').mockImplementationOnce(async (ids) => {
      const states = await read(ids);
      await held.wait;
      return states;
    });
    const loadsBefore = await metric(app, 'metaloop_config_miss_loads_total');
    const loadedBefore = await metric(app, 'metaloop_config_cache_misses_total', {
      path: 'request',
      outcome: 'loaded',
    });
    const first = config('crowded', 'first');
    await eventually(() => expect(spy).toHaveBeenCalledTimes(1));
    const waiting = Array.from({ length: 5 }, (_, i) => config('crowded', `waiting-${i}`));
    // CONFIG_MISS_MAX_LOADS is 1 and crowded's load holds it: another agent's miss cannot start one.
    const refused = await config('base-never-registered');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    held.open();
    const answers = await Promise.all([first, ...waiting]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(spy).toHaveBeenCalledTimes(1);
    expect((await metric(app, 'metaloop_config_miss_loads_total')) - loadsBefore).toBe(1);
    expect(
      (await metric(app, 'metaloop_config_cache_misses_total', { path: 'request', outcome: 'loaded' })) - loadedBefore,
    ).toBe(6);
    expect(await metric(app, 'metaloop_config_cache_misses_total', { path: 'request', outcome: 'busy' })).toBe(1);
    expect(await metric(app, 'metaloop_config_requests_total', { arm: 'none', result: 'unavailable' })).toBe(1);
  });

  it('answers an unknown id 404 from memory after one load, until its config.changed arrives', async () => {
    const loads = () => metric(app, 'metaloop_config_miss_loads_total', { result: 'unknown' });
    const unknownBefore = await loads();
    for (let i = 0; i < 20; i++) {
      const response = await config('late_comer', `s${i}`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ status: 404, detail: 'agent "late_comer" is not registered' });
    }
    expect((await loads()) - unknownBefore).toBe(1);
    expect(await metric(app, 'metaloop_config_cache_misses_total', { path: 'request', outcome: 'negative_hit' })).toBe(
      19,
    );
    // No agent_id label for an id nobody registered.
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).not.toContain('late_comer');

    // Registered now (its config.changed follows the commit); the negative entry would last a minute.
    await h.createAgent('late_comer');
    await eventually(async () => expect((await config('late_comer')).statusCode).toBe(200));
  });

  it('attributes feedback of an agent it did not know from the next event on, without making feedback wait', async () => {
    await unannounced('reporter');
    const event = { agent_id: 'reporter', session_id: 's1', implicit: { success: true } };
    const fills = (result: string) => metric(app, 'metaloop_config_revision_fills_total', { result });
    const [hitsBefore, missesBefore] = [await fills('hit'), await fills('miss')];
    expect((await collect(event)).statusCode).toBe(202);
    expect(await fills('miss')).toBe(missesBefore + 1);
    // The event was answered without waiting for the load it started.
    expect(await metric(app, 'metaloop_agent_outcomes_total', { agent_id: 'reporter' })).toBe(0);
    await eventually(async () =>
      expect(await metric(app, 'metaloop_config_cache_misses_total', { path: 'feedback', outcome: 'loaded' })).toBe(1),
    );
    expect((await collect(event)).statusCode).toBe(202);
    expect(await fills('hit')).toBe(hitsBefore + 1);
    expect(
      await metric(app, 'metaloop_agent_outcomes_total', {
        agent_id: 'reporter',
        arm: 'stable',
        revision_id: revisionId,
      }),
    ).toBe(1);
  });

  it("answers a failed load 503 without the database's error text, which goes to the log", async () => {
    const store = app.get(LiveConfigStore);
    jest
      .spyOn(store, 'loadLiveStates')
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.1.2.3:5432 (user metaloop, db prod)'));
    const failed = await config('fails_to_load');
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(failed.json().detail).toMatch(/registry could not be read/);
    expect(failed.body).not.toMatch(/10\.1\.2\.3|ECONNREFUSED|metaloop/);
  });
});
