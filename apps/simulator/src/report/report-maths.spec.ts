import type { FindingView, PlanView, PolicyFigures, RolloutView } from '../api/wire';
import { budgetRows, maxConcurrent, maxInWindow } from './budget';
import { quantile, share, spread } from './figures';
import { netGain, QualitySeries } from './quality-series';
import { countByWhy, stalledFindings } from './stalled';

describe('quantiles and shares', () => {
  it('takes the nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile(values, 0.9)).toBe(9);
    expect(quantile(values, 1)).toBe(10);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNull();
    expect(spread([3])).toEqual({ n: 1, median: 3, p90: 3, max: 3 });
  });

  it('has no share of nothing', () => {
    expect(share(1, 4)).toBe(0.25);
    expect(share(0, 0)).toBeNull();
  });
});

describe('stalled findings', () => {
  const finding = (id: string, status: string): FindingView => ({
    finding_id: id,
    type: 'dissatisfaction',
    agent_id: 'a',
    revision_id: null,
    severity: 'high',
    confidence: 0.99,
    summary: '',
    status,
  });
  const plan = (id: string, status: string, findingIds: string[], createdAt = '2026-12-07T00:00:00Z'): PlanView => ({
    plan_id: id,
    status,
    finding_ids: findingIds,
    mutations: [],
    created_at: createdAt,
    updated_at: createdAt,
  });

  it('counts a finding open through a whole tick, and a planned one no live plan holds', () => {
    const findings = [
      finding('open', 'open'),
      finding('just-released', 'open'),
      finding('blocked', 'planned'),
      finding('live', 'planned'),
      finding('orphan', 'planned'),
      finding('d', 'deferred'),
      finding('r', 'resolved'),
      finding('s', 'superseded'),
    ];
    const plans = [plan('p1', 'blocked', ['blocked']), plan('p2', 'queued', ['live']), plan('p3', 'blocked', ['live'])];
    const stalled = stalledFindings(findings, plans, new Set(['open', 'd']));
    expect(stalled.map((s) => [s.finding_id, s.why])).toEqual([
      ['open', 'open through a whole tick: neither planned nor deferred'],
      ['blocked', 'planned, but its plan is blocked'],
      ['orphan', 'planned, but no plan holds it'],
    ]);
    expect(countByWhy(stalled)).toEqual({
      'dissatisfaction: open through a whole tick: neither planned nor deferred': 1,
      'dissatisfaction: planned, but its plan is blocked': 1,
      'dissatisfaction: planned, but no plan holds it': 1,
    });
  });

  it.each(['draft', 'validated', 'awaiting_approval', 'approved', 'queued', 'executing'])(
    'is not stalled while a %s plan holds it',
    (status) => {
      expect(stalledFindings([finding('f', 'planned')], [plan('p', status, ['f'])], new Set())).toEqual([]);
    },
  );

  it.each(['completed', 'failed', 'rejected', 'expired', 'blocked'])(
    'is stalled when only a %s plan holds it, naming the newest',
    (status) => {
      const stalled = stalledFindings(
        [finding('f', 'planned')],
        [plan('old', 'blocked', ['f'], '2026-12-07T00:00:00Z'), plan('new', status, ['f'], '2026-12-07T00:01:00Z')],
        new Set(),
      );
      expect(stalled[0]!.why).toBe(`planned, but its plan is ${status}`);
    },
  );
});

describe('budget windows', () => {
  const MIN = 60_000;

  it('finds the most events in any window (t − w, t]', () => {
    expect(maxInWindow([0, 10, 20, 30], 20)).toEqual({ max: 2, at: 10 });
    expect(maxInWindow([0, 5, 9, 30, 31, 32, 33], 10)).toEqual({ max: 4, at: 33 });
    expect(maxInWindow([], 10)).toEqual({ max: 0, at: null });
    expect(maxInWindow([7, 7, 7], 1).max).toBe(3);
  });

  it('counts intervals open at once, an end freeing its slot for a start at the same moment', () => {
    expect(
      maxConcurrent([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
        { start: 5, end: null },
      ]),
    ).toBe(2);
    expect(
      maxConcurrent([
        { start: 0, end: 10 },
        { start: 1, end: 9 },
        { start: 2, end: 8 },
      ]),
    ).toBe(3);
  });

  it('compares every budget of the policy with what the rollouts used', () => {
    const t0 = Date.parse('2026-12-07T00:00:00Z');
    const rollout = (i: number, agent: string, minutes: number, length: number | null): RolloutView => ({
      rollout_id: `r${i}`,
      agent_id: agent,
      plan_id: null,
      status: length === null ? 'running' : 'promoted',
      weight: 10,
      step_index: 0,
      steps: [10, 50, 100],
      stable_revision_id: 's',
      candidate_revision_id: 'c',
      mutation_type: 'PROMPT_PATCH',
      status_reason: null,
      started_at: null,
      created_at: new Date(t0 + minutes * MIN).toISOString(),
      finished_at: length === null ? null : new Date(t0 + (minutes + length) * MIN).toISOString(),
    });
    const rollouts = [
      rollout(1, 'p1', 0, 5),
      rollout(2, 'p2', 1, 5),
      rollout(3, 'd1', 2, 5),
      rollout(4, 'p1', 61, null),
    ];
    const env: Record<string, string> = { p1: 'prod', p2: 'prod', d1: 'dev' };
    const policy = {
      budgets: {
        mutations_per_hour: { global: 3, per_environment: { prod: 1, dev: 5, staging: 5 } },
        mutations_per_day_by_type: { PROMPT_PATCH: 10, MODEL_SWAP: 2 },
      },
      concurrency: { max_concurrent_rollouts: 2 },
    } as unknown as PolicyFigures;
    expect(budgetRows(rollouts, (id) => env[id], policy)).toEqual([
      { scope: 'mutations per rolling hour, all environments', limit: 3, max: 3, exceeded: false },
      { scope: 'mutations per rolling hour, prod', limit: 1, max: 2, exceeded: true },
      { scope: 'mutations per rolling hour, dev', limit: 5, max: 1, exceeded: false },
      { scope: 'PROMPT_PATCH per rolling day', limit: 10, max: 4, exceeded: false },
      { scope: 'rollouts in progress at once', limit: 2, max: 3, exceeded: true },
    ]);
  });
});

describe('the true quality served over time', () => {
  it('averages q over each window’s sessions, overall and per group', () => {
    const series = new QualitySeries(10);
    series.add(1, 'needy', 0.4, false);
    series.add(9.9, 'fine', 0.9, true);
    series.add(25, 'needy', 0.7, false);
    const [w0, w1, w2] = series.windows();
    expect(w0).toMatchObject({
      start: 0,
      end: 10,
      sessions: 2,
      canaryShare: 0.5,
      byGroup: { needy: { sessions: 1, quality: 0.4 }, fine: { sessions: 1, quality: 0.9 } },
    });
    expect(w0!.quality).toBeCloseTo(0.65);
    expect(w1).toMatchObject({ sessions: 0, quality: null });
    expect(w2).toMatchObject({ start: 20, quality: 0.7 });
  });

  it('takes the net gain between the first and the last full window, skipping a cut-off last one', () => {
    const series = new QualitySeries(10);
    for (let w = 0; w < 5; w++) for (let i = 0; i < 100; i++) series.add(w * 10 + 1, 'needy', 0.5 + w * 0.05, false);
    series.add(51, 'needy', 0.0, false);
    const gain = netGain(series.windows())!;
    expect(gain.first.start).toBe(0);
    expect(gain.last.start).toBe(40);
    expect(gain.gain).toBeCloseTo(0.2);
    expect(netGain(new QualitySeries(10).windows())).toBeNull();
  });
});
