import { analyzeResponseSchema, findingListResponseSchema } from '@metaloop/contracts';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { UPSERT_FEEDBACK_ROLLUPS, UPSERT_FEEDBACK_ROLLUPS_HOURLY } from '../ingest/ingest.sql';
import { hourlyRollups, type FeedbackRollupRow } from '../rollups/rollup-aggregation';
import { NORMAL_PROFILE, snapshotFromRows, syntheticRollups, type Stream } from './__tests__/synthetic';
import type { AnalysisSnapshot } from './analysis-snapshot';
import { analysisWindows, nextHour } from './analysis-windows';
import { AnalysisReader } from './analysis.reader';
import { AnalysisService } from './analysis.service';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('analysis over rollups in Postgres', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    h = await oracleHarness('analysis');
  });

  afterAll(() => h?.dispose());

  /** Writes minute rows and their hourly sums the way the ingest consumer does. */
  async function store(rows: FeedbackRollupRow[]): Promise<void> {
    await h.query(UPSERT_FEEDBACK_ROLLUPS, [JSON.stringify(rows)]);
    await h.query(UPSERT_FEEDBACK_ROLLUPS_HOURLY, [JSON.stringify(hourlyRollups(rows))]);
  }

  async function registerAgent(
    agentId: string,
    revisions: Array<{ id: string; model: string }>,
    models: Array<{ model: string; in: number; out: number }> = [],
  ): Promise<void> {
    await h.query(`INSERT INTO agents (id, name, environment, updated_at) VALUES ($1, $1, 'prod', now())`, [agentId]);
    for (const revision of revisions) {
      await h.query(
        `INSERT INTO revisions (id, agent_id, config_hash, config, created_by) VALUES ($1, $2, $1, $3, 'test')`,
        [revision.id, agentId, JSON.stringify({ model: revision.model, prompt: { version: 'v1', template: 't' } })],
      );
    }
    await h.query(`UPDATE agents SET stable_revision_id = $2 WHERE id = $1`, [agentId, revisions[0]!.id]);
    for (const m of models) {
      await h.query(
        `INSERT INTO candidates (id, agent_id, type, key, spec) VALUES (gen_random_uuid(), $1, 'model', $2, $3)`,
        [
          agentId,
          m.model,
          JSON.stringify({
            type: 'model',
            model: m.model,
            provider: 'p',
            cost_per_1k_in: m.in,
            cost_per_1k_out: m.out,
          }),
        ],
      );
    }
  }

  describe('the aggregation query', () => {
    // Far from the real clock, so the later suites' windows never see these rows.
    const T = new Date('2020-01-15T10:37:20.000Z');
    const windows = analysisWindows(T, 24, 24, 10);
    const streams: Stream[] = [
      { agent_id: 'q-a', revision_id: 'q-a-r1', profile: NORMAL_PROFILE },
      { agent_id: 'q-a', revision_id: 'q-a-r2', profile: { ...NORMAL_PROFILE, eventsPerHour: 20 } },
      {
        agent_id: 'q-b',
        revision_id: 'q-b-r1',
        profile: NORMAL_PROFILE,
        change: { complaintRate: 0.5, eventsPerHour: 120 },
        changeAt: new Date(T.getTime() - 15 * MINUTE),
      },
      { agent_id: 'q-x', revision_id: '', profile: NORMAL_PROFILE },
    ];
    // Half an hour beyond both ends: rows outside the windows must not count.
    const rows = syntheticRollups(
      streams,
      { from: new Date(windows.baseline.from.getTime() - 30 * MINUTE), to: new Date(T.getTime() + 30 * MINUTE) },
      42,
    );

    beforeAll(async () => {
      await store(rows);
      await registerAgent(
        'q-a',
        [
          { id: 'q-a-r1', model: 'big' },
          { id: 'q-a-r2', model: 'small' },
        ],
        [{ model: 'small', in: 0.0005, out: 0.0015 }],
      );
      const since = new Date('2020-01-15T02:00:00.000Z');
      await h.query(
        `INSERT INTO retrain_state (agent_id, first_seen_at, samples_since, updated_at) VALUES ('q-a', $1, $2, now())`,
        [new Date(T.getTime() - 72 * HOUR), since],
      );
    });

    it('equals the in-memory sums of the same minutes (hours from the hourly table, minutes at the edges)', async () => {
      const fromSql = await h.apps[0]!.get(AnalysisReader).read(T, windows, ['q-a', 'q-b', 'q-x']);
      const inMemory = snapshotFromRows(rows, T, windows);
      expect(rows.some((r) => Date.parse(r.bucket) < windows.baseline.from.getTime())).toBe(true);
      expect(normalised(fromSql.groups)).toEqual(normalised(inMemory.groups));
      expect(fromSql.groups).toHaveLength(4);
      expect(sortedBursts(fromSql)).toEqual(sortedBursts(inMemory));
      expect(fromSql.bursts.find((b) => b.agent_id === 'q-b')!.complaints).toBeGreaterThan(5);
    });

    it('reads the registry and the retrain bookkeeping with the new quality samples since samples_since', async () => {
      const snapshot = await h.apps[0]!.get(AnalysisReader).read(T, windows, ['q-a', 'q-b']);
      expect(snapshot.agents).toEqual(new Map([['q-a', { environment: 'prod', stable_revision_id: 'q-a-r1' }]]));
      expect(snapshot.revisionModels).toEqual(
        new Map([
          ['q-a-r1', 'big'],
          ['q-a-r2', 'small'],
        ]),
      );
      expect(snapshot.modelCandidates).toEqual(
        new Map([['q-a', [{ model: 'small', cost_per_1k_in: 0.0005, cost_per_1k_out: 0.0015 }]]]),
      );
      const since = Date.parse('2020-01-15T02:00:00.000Z');
      const expected = rows
        .filter((r) => r.agent_id === 'q-a' && Date.parse(r.bucket) >= since && Date.parse(r.bucket) < T.getTime())
        .reduce((s, r) => s + r.success_n, 0);
      expect(snapshot.retrain.get('q-a')).toMatchObject({
        samples_since: new Date(since),
        last_triggered_at: null,
        new_samples: expected,
      });
      expect(snapshot.retrain.has('q-b')).toBe(false);
    });
  });

  describe('analyze, findings and their dedup', () => {
    const NOW = new Date(Math.floor(Date.now() / MINUTE) * MINUTE + 20_000);
    const windows = analysisWindows(NOW, 24, 24, 10);
    const agents = ['live-0', 'live-1', 'live-2', 'live-3'];
    const analysis = () => h.apps[0]!.get(AnalysisService);
    const findingsOf = async () =>
      h.query<Record<string, unknown>>(
        `SELECT dedup_key, status::text, occurrences, first_seen_at, last_seen_at, id FROM findings ORDER BY dedup_key`,
      );

    beforeAll(async () => {
      const streams: Stream[] = agents.map((agent) => ({
        agent_id: agent,
        revision_id: `${agent}-r1`,
        profile: { ...NORMAL_PROFILE, eventsPerHour: 60 },
      }));
      streams[1] = { ...streams[1]!, change: { latencyMedianMs: 800 * 1.5 }, changeAt: windows.window.from };
      streams[2] = { ...streams[2]!, change: { complaintRate: 1, eventsPerHour: 120 }, changeAt: windows.burst.from };
      await store(syntheticRollups(streams, { from: windows.baseline.from, to: NOW }, 7));
      for (const agent of agents) await registerAgent(agent, [{ id: `${agent}-r1`, model: 'm' }]);
    });

    it('records each problem once, with its evidence, and starts the retrain bookkeeping', async () => {
      const { analysis: result } = await analysis().analyze({ time_window_hours: 24, now: NOW });
      expect(result).toMatchObject({
        window: { from: windows.window.from.toISOString(), to: NOW.toISOString() },
        baseline_window: { from: windows.baseline.from.toISOString(), to: windows.window.from.toISOString() },
        agents_analyzed: 4,
        tests_run: expect.any(Number),
      });
      expect(result.findings.map((f) => [f.type, f.agent_id, f.status, f.occurrences])).toEqual([
        ['complaint_burst', 'live-2', 'open', 1],
        ['performance_degradation', 'live-1', 'open', 1],
      ]);
      const regression = result.findings[1]!;
      expect(regression.evidence).toMatchObject({
        metric: 'p95_latency_ms',
        analysis_id: result.analysis_id,
        window: result.window,
      });
      expect(regression.evidence.p_value).toBeLessThan(0.01);
      const states = await h.query(
        `SELECT agent_id, first_seen_at, samples_since, last_triggered_at FROM retrain_state WHERE agent_id LIKE 'live-%' ORDER BY agent_id`,
      );
      expect(states).toEqual(
        agents.map((agent_id) => ({
          agent_id,
          first_seen_at: NOW,
          samples_since: nextHour(NOW),
          last_triggered_at: null,
        })),
      );
    });

    it('counts an open problem again instead of reporting it twice', async () => {
      const before = await findingsOf();
      const later = new Date(NOW.getTime() + 1_000);
      const { analysis: result } = await analysis().analyze({ time_window_hours: 24, now: later });
      expect(result.findings.map((f) => [f.finding_id, f.occurrences, f.first_seen_at, f.last_seen_at])).toEqual(
        before.map((row) => [row['id'], 2, (row['first_seen_at'] as Date).toISOString(), later.toISOString()]),
      );
      expect(await findingsOf()).toHaveLength(2);
      expect(
        await metricValue(h.apps, 'metaloop_oracle_findings_total', {
          type: 'performance_degradation',
          outcome: 'recurring',
          agent_id: 'live-1',
        }),
      ).toBe(1);
    });

    it('reopens a resolved problem that recurs, and leaves a dismissed one dismissed', async () => {
      await h.query(
        `UPDATE findings SET status = 'resolved', resolved_at = now() WHERE type = 'performance_degradation'`,
      );
      await h.query(`UPDATE findings SET status = 'dismissed' WHERE type = 'complaint_burst'`);
      const { analysis: result } = await analysis().analyze({
        time_window_hours: 24,
        now: new Date(NOW.getTime() + 2_000),
      });
      expect(result.findings.map((f) => [f.type, f.status, f.occurrences])).toEqual([
        ['complaint_burst', 'dismissed', 3],
        ['performance_degradation', 'open', 3],
      ]);
      const [row] = await h.query(`SELECT resolved_at FROM findings WHERE type = 'performance_degradation'`);
      expect(row).toEqual({ resolved_at: null });
      expect(await metricValue(h.apps, 'metaloop_oracle_findings_total', { outcome: 'reopened' })).toBe(1);
      expect(await metricValue(h.apps, 'metaloop_oracle_analysis_duration_seconds_count')).toBe(3);
    });

    it('answers seed 004’s analyze body verbatim over REST', async () => {
      const response = await h.apps[0]!.inject({
        method: 'POST',
        url: '/api/v1/oracle/analyze',
        payload: { time_window_hours: 24, event_limit: 1000 },
      });
      expect(response.statusCode).toBe(200);
      // What the planner takes back verbatim (`plan {findings: analysis}`) must hold to the wire schema.
      const { analysis: result } = analyzeResponseSchema.parse(response.json());
      expect(result.agents_analyzed).toBeGreaterThanOrEqual(4);
      expect(result.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'performance_degradation', agent_id: 'live-1', occurrences: 4 }),
        ]),
      );
      const only = await h.apps[0]!.inject({
        method: 'POST',
        url: '/api/v1/oracle/analyze',
        payload: { time_window_hours: 1, agent_ids: ['live-0'] },
      });
      expect(only.json().analysis.agents_analyzed).toBe(1);
    });

    it.each([
      ['a zero window', { time_window_hours: 0 }, 'time_window_hours'],
      ['an unknown field', { time_window_hours: 24, limit: 5 }, ''],
      ['an agent id that is no subject token', { agent_ids: ['a.b'] }, 'agent_ids.0'],
      ['an empty agent list', { agent_ids: [] }, 'agent_ids'],
    ])('answers %s with a 400 naming the field', async (_case, payload, path) => {
      const response = await h.apps[0]!.inject({ method: 'POST', url: '/api/v1/oracle/analyze', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual([path]);
    });

    it('lists findings filtered and a page at a time', async () => {
      const get = async (query: string) => {
        const response = await h.apps[0]!.inject({ method: 'GET', url: `/api/v1/oracle/findings${query}` });
        expect(response.statusCode).toBe(200);
        return findingListResponseSchema.parse(response.json());
      };
      const all = await get('');
      expect(all.items.length).toBeGreaterThanOrEqual(2);
      expect(all.next_cursor).toBeNull();
      expect((await get('?type=performance_degradation&status=open')).items.map((f) => f.agent_id)).toEqual(['live-1']);
      expect((await get('?agent_id=live-2&status=dismissed')).items.map((f) => f.type)).toEqual(['complaint_burst']);
      expect((await get('?severity=low&agent_id=live-1')).items).toEqual([]);
      const first = await get('?limit=1');
      expect(first.items).toEqual([all.items[0]]);
      const second = await get(`?limit=1&cursor=${first.next_cursor}`);
      expect(second.items).toEqual([all.items[1]]);
      for (const bad of ['?type=nonsense', '?limit=0', '?cursor=not-a-uuid']) {
        expect((await h.apps[0]!.inject({ method: 'GET', url: `/api/v1/oracle/findings${bad}` })).statusCode).toBe(400);
      }
    });

    it('documents both routes, and that event_limit means nothing over rollups', async () => {
      const spec = (await h.apps[0]!.inject({ method: 'GET', url: '/docs/json' })).json();
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining(['/api/v1/oracle/analyze', '/api/v1/oracle/findings']),
      );
      expect(spec.paths['/api/v1/oracle/analyze'].post.description).toMatch(/event_limit.*ignored/);
    });
  });
});

function normalised(groups: AnalysisSnapshot['groups']) {
  const round = (sums: Record<string, unknown> | undefined) =>
    sums &&
    Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(6)) : v]));
  return [...groups]
    .sort((a, b) => `${a.agent_id}/${a.revision_id}`.localeCompare(`${b.agent_id}/${b.revision_id}`))
    .map((g) => ({
      agent_id: g.agent_id,
      revision_id: g.revision_id,
      window: round(g.window as never),
      baseline: round(g.baseline as never),
    }));
}

function sortedBursts(snapshot: AnalysisSnapshot) {
  return [...snapshot.bursts].sort((a, b) =>
    `${a.agent_id}/${a.revision_id}`.localeCompare(`${b.agent_id}/${b.revision_id}`),
  );
}
