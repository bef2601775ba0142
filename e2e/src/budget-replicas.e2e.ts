import type { RolloutView } from '@metaloop/contracts';
import { createRandom } from '@metaloop/stats';
import type { AppProcess } from '@metaloop/testing';
import { APPS, startMesh, type Mesh } from './mesh';
import { fastPolicyFile, getJson, post, promptMutation, queuePlan, registerAgent, sql } from './rollout-driver';

const PROD = ['p0', 'p1', 'p2', 'p3'];
const DEV = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'];

/**
 * The mutation budget across replicas: three oracle-api and two orchestrator processes, plans
 * queued in bursts (often several for one agent at once), ticks on every oracle-api replica and
 * operators rolling canaries back on any of them. At no moment more than 3 rollouts in progress
 * or 2 on one agent, and never more starts in the hour than the budget allows (10, prod 5).
 */
describe('budget and one rollout per agent with 3 oracle-api and 2 orchestrator replicas', () => {
  let mesh: Mesh;
  let oracles: AppProcess[];

  beforeAll(async () => {
    const policy = fastPolicyFile({
      concurrency: { max_concurrent_rollouts: 3 },
      budgets: { mutations_per_day_by_type: { PROMPT_PATCH: 100 } },
    });
    mesh = await startMesh('e2e_budget', { POLICIES_PATH: policy, TICK_INTERVAL_MINUTES: '0' });
    const extra = await Promise.all([mesh.spawn('oracle-api'), mesh.spawn('oracle-api'), mesh.spawn('orchestrator')]);
    oracles = [mesh.apps['oracle-api'], extra[0], extra[1]];
    await Promise.all([
      ...APPS.map((name) => mesh.apps[name].waitForReady(60_000)),
      ...extra.map((app) => app.waitForReady(60_000)),
    ]);
  }, 120_000);
  afterAll(() => mesh?.stop());

  it('never exceeds the concurrency limit, the hourly budgets or one rollout per agent', async () => {
    for (const id of PROD) await registerAgent(mesh, id, undefined, 'prod');
    for (const id of DEV) await registerAgent(mesh, id);
    const random = createRandom(5);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)]!;
    const violations: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [state] = await sql<{ active: number; busiest: number }>(
          mesh,
          `SELECT count(*)::int AS active, coalesce(max(n), 0)::int AS busiest FROM (SELECT agent_id, count(*) OVER (PARTITION BY agent_id) AS n FROM rollouts WHERE status IN ('pending', 'running', 'paused')) a`,
        );
        if (state!.active > 3 || state!.busiest > 1) violations.push(JSON.stringify(state));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    for (let round = 0; round < 12; round++) {
      // A burst: several plans at once, two of them for the same agent.
      const agents = Array.from({ length: 4 }, () => pick([...PROD, ...DEV]));
      agents.push(agents[0]!);
      await Promise.all([
        ...agents.map((agent) => queuePlan(mesh, [promptMutation(agent)])),
        ...oracles.map((oracle) => post(`${oracle.url}/api/v1/oracle/tick`, undefined, 200).catch(() => undefined)),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      // Operators free some slots, on whichever replica.
      const active = (
        await getJson<{ items: RolloutView[] }>(`${pick(oracles).url}/api/v1/oracle/rollouts?status=running`)
      ).items;
      await Promise.all(
        active
          .slice(0, 2)
          .map((r) => post(`${pick(oracles).url}/api/v1/oracle/rollback`, { rollout_id: r.rollout_id, reason: 'e2e' })),
      );
    }
    sampling = false;
    await sampler;

    const rollouts = await sql<{ agent_id: string; environment: string; created_at: Date; finished_at: Date | null }>(
      mesh,
      `SELECT r.agent_id, a.environment::text, r.created_at, r.finished_at FROM rollouts r JOIN agents a ON a.id = r.agent_id`,
    );
    expect(violations).toEqual([]);
    expect(rollouts.length).toBe(10);
    expect(rollouts.filter((r) => r.environment === 'prod').length).toBeLessThanOrEqual(5);
    expect(maxOverlap(rollouts)).toBeLessThanOrEqual(3);
    for (const agent of [...PROD, ...DEV])
      expect(maxOverlap(rollouts.filter((r) => r.agent_id === agent))).toBeLessThanOrEqual(1);
    const refused = await sql<{ n: number }>(
      mesh,
      `SELECT count(*)::int AS n FROM audit_entries WHERE action = 'mutation.refused'`,
    );
    expect(refused[0]!.n).toBeGreaterThan(0);
  }, 120_000);
});

/** The most rollouts whose lifetimes [created, finished) overlap at one instant. */
function maxOverlap(rollouts: ReadonlyArray<{ created_at: Date; finished_at: Date | null }>): number {
  const events = rollouts.flatMap((r) => [
    { at: r.created_at.getTime(), delta: 1 },
    { at: r.finished_at?.getTime() ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const event of events) most = Math.max(most, (open += event.delta));
  return most;
}
