import { createRandom } from '@metaloop/stats';
import { eventually } from '@metaloop/testing';
import { fastPolicyFile, getJson, post, sql } from './rollout-driver';
import { APPS, startMesh, type Mesh } from './mesh';

/**
 * The loop over a fleet on the running mesh, driven only through the public API: eleven agents
 * whose users are unhappy, each with one registered prompt candidate whose true quality only
 * this test knows — eight better, two worse, one no different. Three rollouts may run at once and
 * ten may start in the hour, so both limits bind: the loop must work through the fleet by
 * itself, never leaving a finding stalled, promote every better candidate, roll back every worse
 * one, and say why the last agent waits (the budget is spent).
 */
interface Truth {
  agentId: string;
  /** P(good answer) of the stable prompt v1 and of the candidate v2. */
  stable: number;
  candidate: number;
  /** Sessions per round: the tick ranks by traffic. */
  weight: number;
  kind: 'better' | 'worse' | 'identical';
}

const FLEET: Truth[] = [
  ...Array.from({ length: 8 }, (_, i): Truth => ({
    agentId: `fleet_better_${i}`,
    stable: 0.3,
    candidate: 0.9,
    weight: 3,
    kind: 'better',
  })),
  { agentId: 'fleet_worse_0', stable: 0.3, candidate: 0.05, weight: 3, kind: 'worse' },
  { agentId: 'fleet_worse_1', stable: 0.3, candidate: 0.05, weight: 3, kind: 'worse' },
  // The least traffic: ranked last, it finds the budget spent.
  { agentId: 'fleet_same', stable: 0.3, candidate: 0.3, weight: 1, kind: 'identical' },
];

const LIVE_PLAN = `('draft', 'validated', 'awaiting_approval', 'approved', 'queued', 'executing')`;

describe('the loop improves a fleet by itself (11 agents, 3 concurrent rollouts, 10 per hour)', () => {
  let mesh: Mesh;
  let running = true;
  let traffic: Promise<void>;
  const ticks: Array<{
    plans: Array<{ agent_id: string; status: string }>;
    deferred: Array<{ agent_id: string; reason: string }>;
  }> = [];
  const stalledSeen: string[] = [];

  beforeAll(async () => {
    const policy = fastPolicyFile({
      canary: {
        steps: [20, 50, 100],
        analysis_interval_seconds: 1,
        min_samples_per_arm: 40,
        max_step_duration_minutes: 3,
      },
      concurrency: { max_concurrent_rollouts: 3 },
      budgets: {
        mutations_per_hour: { global: 10, per_environment: { dev: 10 } },
        mutations_per_day_by_type: { PROMPT_PATCH: 20 },
      },
      cooldown: { per_agent_minutes: 0 },
    });
    mesh = await startMesh('fleet_loop', { POLICIES_PATH: policy, TICK_INTERVAL_MINUTES: '0' });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    const oracle = mesh.apps['oracle-api'].url;
    for (const truth of FLEET) {
      await post(
        `${oracle}/api/v1/agents`,
        {
          agent_id: truth.agentId,
          environment: 'dev',
          config: { model: 'm', prompt: { version: 'v1', template: 'You help.' } },
        },
        201,
      );
      await post(
        `${oracle}/api/v1/agents/${truth.agentId}/candidates`,
        { type: 'prompt', version: 'v2', template: 'You help, carefully.' },
        201,
      );
    }
    traffic = driveFleet();
  }, 120_000);

  afterAll(async () => {
    running = false;
    await traffic;
    await mesh?.stop();
  });

  /** Rounds of sessions over the fleet: each fetches its config (sticky arm), then sends what its user thought of the answer. */
  async function driveFleet(): Promise<void> {
    const feedback = mesh.apps['feedback-api'].url;
    const random = createRandom(12);
    let session = 0;
    const one = async (truth: Truth) => {
      const id = `${truth.agentId}-s${session++}`;
      const served = await getJson<{ config: { prompt: { version: string } } }>(
        `${feedback}/api/v1/agents/${truth.agentId}/config?session_id=${id}`,
      );
      const good = random.next() < (served.config.prompt.version === 'v2' ? truth.candidate : truth.stable);
      const rating = good ? 4 + Math.round(random.next()) : 1 + Math.round(random.next());
      await post(
        `${feedback}/api/v1/feedback/collect`,
        {
          agent_id: truth.agentId,
          session_id: id,
          explicit: { rating, helpful: good },
          implicit: { success: good, response_time_ms: 300 + 200 * random.next() },
        },
        202,
      );
    };
    while (running) {
      const round = FLEET.flatMap((truth) => Array.from({ length: truth.weight * 4 }, () => truth));
      await Promise.all(round.map((truth) => one(truth).catch(() => undefined)));
    }
  }

  /**
   * Findings neither closed, nor deferred with a reason, nor held by a live plan. An `open` one is
   * fine until a tick has looked at it (a rollback releases its findings between ticks): open
   * after two ticks in a row, it stalled.
   */
  let openAfterLastTick = new Set<string>();
  async function stalledAfterTick(): Promise<string[]> {
    const rows = await sql<{ id: string; agent_id: string; status: string }>(
      mesh,
      `SELECT f.id, f.agent_id, f.status::text FROM findings f
        WHERE f.status = 'open'
           OR (f.status = 'deferred' AND f.deferred_reason IS NULL)
           OR (f.status = 'planned' AND NOT EXISTS (SELECT 1 FROM plans p WHERE f.id::text = ANY(p.finding_ids) AND p.status IN ${LIVE_PLAN}))`,
    );
    const open = new Set(rows.filter((r) => r.status === 'open').map((r) => r.id));
    const stalled = rows
      .filter((r) => r.status !== 'open' || openAfterLastTick.has(r.id))
      .map((r) => `${r.agent_id} ${r.status} ${r.id}`);
    openAfterLastTick = open;
    return stalled;
  }

  const latestRollout = async (agentId: string) =>
    (
      await sql<{ status: string; status_reason: string | null }>(
        mesh,
        `SELECT status::text, status_reason FROM rollouts WHERE agent_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [agentId],
      )
    )[0];
  const outcome = async (agentId: string) => (await latestRollout(agentId))?.status ?? null;

  it('promotes every better candidate, rolls back every worse one, and leaves no finding stalled', async () => {
    const oracle = mesh.apps['oracle-api'].url;
    const finished = (status: string | null, kind: Truth['kind']) =>
      kind === 'better' ? status === 'promoted' : kind === 'worse' ? status === 'rolled_back' : true;
    await eventually(
      async () => {
        ticks.push((await post(`${oracle}/api/v1/oracle/tick`, { time_window_hours: 0.05 })) as (typeof ticks)[number]);
        stalledSeen.push(...(await stalledAfterTick()));
        const states = await Promise.all(FLEET.map(async (t) => [t, await latestRollout(t.agentId)] as const));
        // A wrong outcome names the reason the orchestrator gave, so a failure says why.
        const pending = states
          .filter(([t, rollout]) => !finished(rollout?.status ?? null, t.kind))
          .map(
            ([t, rollout]) =>
              `${t.agentId}: ${rollout?.status ?? null}${rollout?.status_reason ? ` (${rollout.status_reason})` : ''}`,
          );
        if (pending.length > 0) throw new Error(`not yet: ${pending.join(', ')}`);
      },
      240_000,
      1_000,
    );

    expect(stalledSeen).toEqual([]);
    for (const truth of FLEET.filter((t) => t.kind === 'better')) expect(await outcome(truth.agentId)).toBe('promoted');
    for (const truth of FLEET.filter((t) => t.kind === 'worse'))
      expect(await outcome(truth.agentId)).toBe('rolled_back');
    // Never more than three at once, never more than ten started: the ledger says so.
    const [{ started }] = await sql<{ started: number }>(mesh, `SELECT count(*)::int AS started FROM rollouts`);
    expect(started).toBeLessThanOrEqual(10);
    const overlap = await sql<{ n: number }>(
      mesh,
      `SELECT count(*)::int AS n FROM rollouts a JOIN rollouts b ON b.started_at <= a.started_at AND coalesce(b.finished_at, now()) > a.started_at
        WHERE a.started_at IS NOT NULL AND b.started_at IS NOT NULL GROUP BY a.id ORDER BY n DESC LIMIT 1`,
    );
    expect(overlap[0]!.n).toBeLessThanOrEqual(3);
    // The limits bound on the way: some findings waited for a slot.
    expect(ticks.some((t) => t.deferred.some((d) => d.reason === 'concurrency'))).toBe(true);
  }, 300_000);

  it("says why the last agent waits: the hour's budget is spent", async () => {
    const oracle = mesh.apps['oracle-api'].url;
    const [{ started }] = await sql<{ started: number }>(mesh, `SELECT count(*)::int AS started FROM rollouts`);
    expect(started).toBe(10);
    expect(await outcome('fleet_same')).toBeNull();
    const last = (await post(`${oracle}/api/v1/oracle/tick`, { time_window_hours: 0.05 })) as (typeof ticks)[number];
    expect(last.deferred).toEqual(
      expect.arrayContaining([expect.objectContaining({ agent_id: 'fleet_same', reason: 'budget' })]),
    );
    const status = await getJson<{ deferred_findings: Record<string, number> }>(`${oracle}/api/v1/oracle/status`);
    expect(status.deferred_findings['budget']).toBeGreaterThanOrEqual(1);
    await post(`${oracle}/api/v1/oracle/tick`, { time_window_hours: 0.05 });
    expect(await stalledAfterTick()).toEqual([]);
  });
});
