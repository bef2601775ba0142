import type { AppProcess } from '@metaloop/testing';
import { eventually } from '@metaloop/testing';
import { APPS, startMesh, type Mesh } from './mesh';
import { BASE_CONFIG, post } from './rollout-driver';

const AGENTS = 300;

/** A counter's value in the app's /metrics, summed over the series matching `labels`. */
async function metric(app: AppProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  let total = 0;
  for (const [, labelText, value] of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (Object.entries(labels).every(([k, v]) => labelText!.includes(`${k}="${v}"`))) total += Number(value);
  }
  return total;
}

/**
 * Issue 12: `POST /api/v1/agents` answered 201 and the next config fetch on feedback-api
 * answered 404 in 77 of 200 tries, because the cache waited for config.changed. Now a miss
 * reads Postgres: after the 201, every replica serves the agent.
 */
describe('config is readable right after it is written, on every feedback-api replica', () => {
  let mesh: Mesh;
  let replicas: AppProcess[];

  beforeAll(async () => {
    // Negative entries outlive the test, so what clears one is the agent's config.changed.
    mesh = await startMesh('e2e_config_ryw', { TICK_INTERVAL_MINUTES: '0', CONFIG_MISS_TTL_MS: '30000' });
    const second = await mesh.spawn('feedback-api');
    await Promise.all([...APPS.map((name) => mesh.apps[name].waitForReady(60_000)), second.waitForReady(60_000)]);
    replicas = [mesh.apps['feedback-api'], second];
  }, 90_000);

  afterAll(() => mesh?.stop());

  const fetchConfig = (replica: AppProcess, agentId: string, sessionId: string) =>
    fetch(`${replica.url}/api/v1/agents/${agentId}/config?session_id=${sessionId}`);

  it(`serves each of ${AGENTS} agents at once after its 201, alternately from two replicas`, async () => {
    const oracle = mesh.apps['oracle-api'].url;
    const failures: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const agentId = `ryw_${i}`;
      const { revision_id } = (await post(
        `${oracle}/api/v1/agents`,
        { agent_id: agentId, environment: 'dev', config: BASE_CONFIG },
        201,
      )) as { revision_id: string };
      // The replica asked first alternates; then the other one.
      for (const replica of [replicas[i % 2]!, replicas[(i + 1) % 2]!]) {
        const response = await fetchConfig(replica, agentId, `session-${i}`);
        const body = (await response.json()) as { revision_id?: string };
        if (response.status !== 200 || body.revision_id !== revision_id)
          failures.push(`${agentId} on ${replica.url}: ${response.status} ${JSON.stringify(body)}`);
      }
    }
    expect(failures).toEqual([]);
    const loaded = await Promise.all(
      replicas.map((r) => metric(r, 'metaloop_config_cache_misses_total', { path: 'request', outcome: 'loaded' })),
    );
    console.log(
      `${AGENTS} agents × 2 replicas: 200 every time; misses served from Postgres before the agent's config.changed arrived: ${loaded.join(' + ')}`,
    );
  }, 120_000);

  it('answers an unknown id 404 on every replica, asking Postgres once per replica however often it is asked', async () => {
    for (const replica of replicas) {
      const before = await metric(replica, 'metaloop_config_miss_loads_total', { result: 'unknown' });
      for (let i = 0; i < 50; i++) {
        const response = await fetchConfig(replica, 'ryw_ghost', `s${i}`);
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      expect((await metric(replica, 'metaloop_config_miss_loads_total', { result: 'unknown' })) - before).toBe(1);
    }
  });

  it('serves a previously unknown id on every replica once it is registered (its config.changed clears the negative entry)', async () => {
    for (const replica of replicas) expect((await fetchConfig(replica, 'ryw_ghost', 's1')).status).toBe(404);
    const { revision_id } = (await post(
      `${mesh.apps['oracle-api'].url}/api/v1/agents`,
      { agent_id: 'ryw_ghost', environment: 'dev', config: BASE_CONFIG },
      201,
    )) as { revision_id: string };
    for (const replica of replicas) {
      await eventually(
        async () => {
          const response = await fetchConfig(replica, 'ryw_ghost', 's1');
          expect(response.status).toBe(200);
          expect(((await response.json()) as { revision_id: string }).revision_id).toBe(revision_id);
        },
        10_000,
        20,
      );
    }
  });
});
