import { QUEUES } from '@metaloop/contracts';
import { testEnv } from '@metaloop/testing';
import { Queue } from 'bullmq';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { NORMAL_PROFILE, syntheticRollups } from '../analysis/__tests__/synthetic';
import { UPSERT_FEEDBACK_ROLLUPS, UPSERT_FEEDBACK_ROLLUPS_HOURLY } from '../ingest/ingest.sql';
import { hourlyRollups } from '../rollups/rollup-aggregation';
import { bullmqConnection } from '@metaloop/messaging';

const HOUR = 3_600_000;

describe('the tick (three replicas, real Postgres and Redis)', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    h = await oracleHarness('tick');
    await h.startReplica();
    await h.startReplica();
  });
  afterAll(() => h?.dispose());

  const tick = (replica: number, payload?: object) =>
    h.apps[replica]!.inject({ method: 'POST', url: '/api/v1/oracle/tick', ...(payload ? { payload } : {}) });

  it('with nothing to do says so, and takes no body at all', async () => {
    const response = await tick(0);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'succeeded',
      trigger: 'api',
      plan_id: null,
      stages: [{ stage: 'analyze', outcome: 'nothing_to_do', summary: expect.stringMatching(/no open findings/) }],
    });
    const [row] = await h.query<{ status: string; summary: string }>(
      `SELECT status::text, summary FROM ticks WHERE id = $1`,
      [response.json().tick_id],
    );
    expect(row).toEqual({ status: 'succeeded', summary: expect.stringMatching(/^analyze: no open findings/) });
  });

  it('runs once when three replicas are asked at the same moment; the others say who runs', async () => {
    const results = (await Promise.all([tick(0), tick(1), tick(2)])).map((r) => r.json());
    const ran = results.filter((r) => r.status !== 'skipped');
    const skipped = results.filter((r) => r.status === 'skipped');
    expect(ran).toHaveLength(1);
    expect(skipped).toHaveLength(2);
    for (const s of skipped) expect(s.summary).toContain(ran[0].tick_id);
    expect(await metricValue(h.apps, 'metaloop_oracle_ticks_total', { outcome: 'skipped', trigger: 'api' })).toBe(2);
  });

  it('finds a success-rate drop, plans a fix, passes the gates and queues it for the orchestrator', async () => {
    const created = await h.apps[0]!.inject({
      method: 'POST',
      url: '/api/v1/agents',
      payload: {
        agent_id: 'tick-a',
        environment: 'dev',
        config: {
          model: 'gpt-4o',
          prompt: { version: 'v1', template: 'You are helpful.' },
          params: { temperature: 0.9 },
        },
      },
    });
    const revisionId = created.json().revision_id as string;
    await h.apps[0]!.inject({
      method: 'POST',
      url: '/api/v1/agents/tick-a/candidates',
      payload: { type: 'prompt', version: 'v2', template: 'You are careful.' },
    });
    const now = Date.now();
    const rows = syntheticRollups(
      [
        {
          agent_id: 'tick-a',
          revision_id: revisionId,
          profile: { ...NORMAL_PROFILE, eventsPerHour: 3_000 },
          change: { success: 0.55 },
          changeAt: new Date(now - HOUR),
        },
      ],
      { from: new Date(now - 2 * HOUR - 5 * 60_000), to: new Date(now) },
      7,
    );
    await h.query(UPSERT_FEEDBACK_ROLLUPS, [JSON.stringify(rows)]);
    await h.query(UPSERT_FEEDBACK_ROLLUPS_HOURLY, [JSON.stringify(hourlyRollups(rows))]);

    const result = (await tick(1)).json();
    expect(result.stages.map((s: { stage: string; outcome: string }) => [s.stage, s.outcome])).toEqual([
      ['analyze', 'done'],
      ['plan', 'done'],
      ['validate', 'done'],
      ['execute', 'done'],
    ]);
    expect(result).toMatchObject({ status: 'succeeded', plan_id: expect.any(String) });
    const plan = (await h.apps[2]!.inject({ method: 'GET', url: `/api/v1/oracle/plans/${result.plan_id}` })).json();
    expect(plan).toMatchObject({
      status: 'queued',
      source: 'tick',
      created_by: 'system:tick',
      mutations: [{ agent_id: 'tick-a', type: 'PROMPT_PATCH', params: { version: 'v2' } }],
    });
    expect(plan.mutations[0].rationale).toMatch(/success/);

    const queue = new Queue(QUEUES.plans, {
      connection: bullmqConnection(testEnv.TEST_REDIS_URL, 'tick-spec'),
      prefix: h.prefix,
    });
    try {
      expect(await queue.getJob(result.plan_id)).toBeDefined();
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }

    // The next tick finds the same drop, already planned, so it plans nothing new; what is left
    // open (the retrain trigger the drop also set off) has no fix registered, and it says so.
    const next = (await tick(0)).json();
    expect(next).toMatchObject({ status: 'succeeded', plan_id: null });
    expect(next.stages.at(-1)).toMatchObject({ outcome: 'nothing_to_do' });
    expect(next.summary).not.toMatch(/success/);
    expect(await metricValue(h.apps, 'metaloop_oracle_tick_last_success_timestamp_seconds')).toBeGreaterThan(
      now / 1000 - 60,
    );
  });

  it('shows the loop at a glance on GET status', async () => {
    const status = (await h.apps[2]!.inject({ method: 'GET', url: '/api/v1/oracle/status' })).json();
    expect(status).toMatchObject({
      frozen: false,
      policy: { version: expect.stringMatching(/^[0-9a-f]{64}$/), last_rejected: null },
      last_tick: { status: 'succeeded', trigger: 'api', finished_at: expect.any(String) },
      plans: { queued: 1 },
      open_findings: {},
      deferred_findings: { agent_busy: 1 },
      rollouts: { active: 0, reverts_pending: 0, reverts_failed: 0 },
      budget: {
        used: { last_hour: 0 },
        remaining: { per_hour: 10, per_hour_by_environment: { prod: 5 }, concurrent_rollouts: 3 },
      },
    });
  });
});
