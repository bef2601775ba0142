import { QUEUES } from '@metaloop/contracts';
import { bullmqConnection } from '@metaloop/messaging';
import { testEnv } from '@metaloop/testing';
import { Queue } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { NORMAL_PROFILE, syntheticRollups } from '../analysis/__tests__/synthetic';
import { UPSERT_FEEDBACK_ROLLUPS, UPSERT_FEEDBACK_ROLLUPS_HOURLY } from '../ingest/ingest.sql';
import { hourlyRollups } from '../rollups/rollup-aggregation';

const MINUTE = 60_000;
const UNHAPPY = { ...NORMAL_PROFILE, ratedShare: 1, ratingMean: 2, ratingSd: 0.8 };

/**
 * The tick over a fleet (in-process oracle-api, real Postgres and Redis, no orchestrator): more
 * agents need help than the concurrency limit allows, one needs a person's approval. Nothing
 * may stall: after every tick each finding is planned into a live plan, deferred with a reason,
 * or closed.
 */
describe('the tick over a fleet', () => {
  let h: OracleHarness;
  let plansQueue: Queue;

  beforeAll(async () => {
    // Production defaults (3 concurrent rollouts, budget 10/h, 5 in prod), except that a prod
    // prompt patch (risk 5) waits for a person here.
    const policy = join(mkdtempSync(join(tmpdir(), 'fleet-tick-')), 'policies.yaml');
    writeFileSync(policy, JSON.stringify({ approval: { high_risk: { above: 4 } } }));
    h = await oracleHarness('fleet_tick', { POLICIES_PATH: policy });
    plansQueue = new Queue(QUEUES.plans, {
      connection: bullmqConnection(testEnv.TEST_REDIS_URL, 'fleet-tick-spec'),
      prefix: h.prefix,
    });
  });
  afterAll(async () => {
    await plansQueue?.obliterate({ force: true }).catch(() => undefined);
    await plansQueue?.close();
    await h?.dispose();
  });

  const app = () => h.apps[0]!;
  const tick = async () =>
    (await app().inject({ method: 'POST', url: '/api/v1/oracle/tick', payload: { time_window_hours: 1 } })).json();

  /** An agent with a registered prompt candidate whose users are unhappy: `eventsPerHour` sets its traffic. */
  async function unhappyAgent(
    agentId: string,
    eventsPerHour: number,
    environment: 'dev' | 'prod' = 'dev',
  ): Promise<void> {
    const config = { model: 'gpt-4o', prompt: { version: 'v1', template: 'You are helpful.' } };
    const created = await app().inject({
      method: 'POST',
      url: '/api/v1/agents',
      payload: { agent_id: agentId, environment, config },
    });
    expect(created.statusCode).toBe(201);
    await app().inject({
      method: 'POST',
      url: `/api/v1/agents/${agentId}/candidates`,
      payload: { type: 'prompt', version: 'v2', template: 'You are careful.' },
    });
    const now = Date.now();
    const rows = syntheticRollups(
      [{ agent_id: agentId, revision_id: created.json().revision_id, profile: { ...UNHAPPY, eventsPerHour } }],
      { from: new Date(now - 50 * MINUTE), to: new Date(now) },
      agentId.length,
    );
    await h.query(UPSERT_FEEDBACK_ROLLUPS, [JSON.stringify(rows)]);
    await h.query(UPSERT_FEEDBACK_ROLLUPS_HOURLY, [JSON.stringify(hourlyRollups(rows))]);
  }

  /** Findings that are neither closed nor waiting with a reason nor held by a live plan. */
  const stalled = () =>
    h.query<{ id: string; status: string }>(`
      SELECT f.id, f.status::text FROM findings f
       WHERE (f.status = 'open')
          OR (f.status = 'deferred' AND f.deferred_reason IS NULL)
          OR (f.status = 'planned' AND NOT EXISTS (
                SELECT 1 FROM plans p WHERE f.id::text = ANY(p.finding_ids) AND p.status IN ('draft', 'validated', 'awaiting_approval', 'approved', 'queued', 'executing')))`);

  /** A plan the orchestrator promoted: its agent is fine now (and has no traffic left in the window). */
  async function promoted(plan: { plan_id: string; agent_id: string }): Promise<void> {
    await h.query(`UPDATE mutations SET status = 'promoted' WHERE plan_id = $1`, [plan.plan_id]);
    await h.query(`UPDATE plans SET status = 'completed' WHERE id = $1`, [plan.plan_id]);
    await h.query(`UPDATE findings SET status = 'resolved' WHERE agent_id = $1`, [plan.agent_id]);
    await h.query(`DELETE FROM feedback_rollups WHERE agent_id = $1`, [plan.agent_id]);
    await h.query(`DELETE FROM feedback_rollups_hourly WHERE agent_id = $1`, [plan.agent_id]);
  }

  const findingsOf = (agentId: string) =>
    h.query<{ status: string; deferred_reason: string | null }>(
      `SELECT status::text, deferred_reason FROM findings WHERE agent_id = $1 AND type = 'dissatisfaction'`,
      [agentId],
    );

  it('starts what fits, one plan per agent by severity × impact × traffic, and defers the rest with the reason', async () => {
    // Six agents need help at once; three rollouts may run. The busiest go first.
    for (const [i, traffic] of [900, 800, 700, 300, 200, 100].entries()) await unhappyAgent(`fleet_${i}`, traffic);
    const first = await tick();
    expect(first.status).toBe('succeeded');
    expect(first.plans.map((p: { agent_id: string; status: string }) => [p.agent_id, p.status])).toEqual([
      ['fleet_0', 'queued'],
      ['fleet_1', 'queued'],
      ['fleet_2', 'queued'],
    ]);
    const deferred = first.deferred.filter((d: { reason: string }) => d.reason === 'concurrency');
    expect(deferred.map((d: { agent_id: string }) => d.agent_id).sort()).toEqual(['fleet_3', 'fleet_4', 'fleet_5']);
    expect(deferred[0].detail).toMatch(/3 rollout\(s\) running \+ 1 new exceeds the limit of 3/);
    for (const plan of first.plans) expect(await plansQueue.getJob(plan.plan_id)).toBeDefined();
    expect(await findingsOf('fleet_4')).toEqual([{ status: 'deferred', deferred_reason: 'concurrency' }]);
    expect(await stalled()).toEqual([]);

    const status = (await app().inject({ method: 'GET', url: '/api/v1/oracle/status' })).json();
    expect(status.deferred_findings).toMatchObject({ concurrency: 3 });
    expect(status.last_tick.plans).toHaveLength(3);
    expect(status.last_tick.deferred).toEqual(
      expect.arrayContaining([expect.objectContaining({ agent_id: 'fleet_5', reason: 'concurrency' })]),
    );

    // The queued plans hold their slots until the orchestrator runs them: the next tick starts nothing new.
    const second = await tick();
    expect(second.plans).toEqual([]);
    expect(second.deferred.filter((d: { reason: string }) => d.reason === 'concurrency')).toHaveLength(3);
    expect(await stalled()).toEqual([]);

    // The first three are promoted (as the orchestrator leaves it): their slots free, the deferred three start.
    for (const plan of first.plans) await promoted(plan);
    const third = await tick();
    expect(third.plans.map((p: { agent_id: string; status: string }) => [p.agent_id, p.status])).toEqual([
      ['fleet_3', 'queued'],
      ['fleet_4', 'queued'],
      ['fleet_5', 'queued'],
    ]);
    expect(await findingsOf('fleet_4')).toEqual([{ status: 'planned', deferred_reason: null }]);
    expect(await stalled()).toEqual([]);
    for (const plan of third.plans.filter((p: { agent_id: string }) => p.agent_id !== 'fleet_5')) await promoted(plan);
  });

  it('leaves a plan that needs a person waiting, defers its agent, and plans again once that plan expires', async () => {
    await unhappyAgent('fleet_prod', 600, 'prod');
    const waiting = await tick();
    const plan = waiting.plans.find((p: { agent_id: string }) => p.agent_id === 'fleet_prod');
    expect(plan).toMatchObject({ status: 'awaiting_approval', reason: expect.stringMatching(/approval/) });
    expect(await findingsOf('fleet_prod')).toEqual([{ status: 'planned', deferred_reason: null }]);

    // Nobody decides within plans.expire_after_minutes: the plan expires, its finding goes back to the tick.
    await h.query(`UPDATE plans SET created_at = now() - interval '2 days' WHERE id = $1`, [plan.plan_id]);
    const next = await tick();
    expect((await app().inject({ method: 'GET', url: `/api/v1/oracle/plans/${plan.plan_id}` })).json().status).toBe(
      'expired',
    );
    expect(next.stages[0].summary).toMatch(/1 stale plan\(s\) expired/);
    expect(next.plans).toEqual([expect.objectContaining({ agent_id: 'fleet_prod', status: 'awaiting_approval' })]);
    expect(await stalled()).toEqual([]);
  });

  it('closes a finding whose condition stopped holding, one nothing has seen within the window, and one about a revision no longer served', async () => {
    const [before] = await h.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM findings WHERE status IN ('resolved', 'superseded')`,
    );
    // fleet_5's users are happy again: its recent window no longer shows the low ratings.
    await h.query(
      `UPDATE plans SET status = 'failed' WHERE id IN (SELECT plan_id FROM mutations WHERE agent_id = 'fleet_5')`,
    );
    await h.query(`UPDATE mutations SET status = 'rolled_back' WHERE agent_id = 'fleet_5'`);
    await h.query(`UPDATE findings SET status = 'open' WHERE agent_id = 'fleet_5'`);
    await h.query(
      `UPDATE feedback_rollups SET rating_sum = 5 * rating_count, rating_sum_sq = 25 * rating_count WHERE agent_id = 'fleet_5'`,
    );
    await h.query(
      `UPDATE feedback_rollups_hourly SET rating_sum = 5 * rating_count, rating_sum_sq = 25 * rating_count WHERE agent_id = 'fleet_5'`,
    );
    // fleet_prod's finding is about a revision its agent no longer serves.
    await h.query(`UPDATE findings SET status = 'deferred', deferred_reason = 'gates' WHERE agent_id = 'fleet_prod'`);
    await h.query(`UPDATE plans SET status = 'rejected' WHERE status = 'awaiting_approval'`);
    await h.query(
      `INSERT INTO revisions (id, agent_id, parent_id, config, config_hash, created_by) SELECT 'rev_other', agent_id, id, config, 'other', 'spec' FROM revisions WHERE agent_id = 'fleet_prod' LIMIT 1`,
    );
    await h.query(`UPDATE agents SET stable_revision_id = 'rev_other' WHERE id = 'fleet_prod'`);
    await h.query(`DELETE FROM feedback_rollups WHERE agent_id = 'fleet_prod'`);
    await h.query(`DELETE FROM feedback_rollups_hourly WHERE agent_id = 'fleet_prod'`);

    // An agent with no traffic any more: its finding was last seen two hours ago, before the window.
    await h.query(
      `INSERT INTO findings (id, type, agent_id, revision_id, severity, confidence, summary, evidence, dedup_key, status, deferred_reason, first_seen_at, last_seen_at)
       VALUES (gen_random_uuid(), 'dissatisfaction', 'fleet_idle', NULL, 'high', 0.99, 'low ratings', '{}', 'fleet_idle', 'deferred', 'no_mutation', now() - interval '3 hours', now() - interval '2 hours')`,
    );

    const result = await tick();
    expect(result.resolved).toBeGreaterThanOrEqual(3);
    expect(await findingsOf('fleet_idle')).toEqual([{ status: 'resolved', deferred_reason: null }]);
    expect(await findingsOf('fleet_5')).toEqual([{ status: 'resolved', deferred_reason: null }]);
    expect(await findingsOf('fleet_prod')).toEqual([{ status: 'superseded', deferred_reason: null }]);
    const [after] = await h.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM findings WHERE status IN ('resolved', 'superseded')`,
    );
    expect(after!.n).toBeGreaterThanOrEqual(before!.n + 2);
    expect(await stalled()).toEqual([]);
  });
});
