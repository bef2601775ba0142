import { insightsSchema } from '@metaloop/policies';
import type { DimensionSums } from '../patterns/group-stats';
import { periodRange, previousPeriod } from './periods';
import { buildReport, meanRatingChange, successRateChange } from './report-builder';
import { reportMarkdown } from './report-markdown';

const policy = insightsSchema.parse({}).reports;
const ratings = (n: number, value: number) => ({
  rating_count: n,
  rating_sum: n * value,
  rating_sum_sq: n * value * value,
});
const row = (dim: string, value: string, positive: number, negative: number, extra = {}): DimensionSums => ({
  dim,
  value,
  count: positive + negative,
  positive,
  negative,
  rating_count: 0,
  rating_sum: 0,
  rating_sum_sq: 0,
  ...extra,
});
const totals = (positive: number, negative: number, extra = {}) => ({
  events: positive + negative,
  samples: positive + negative,
  positive,
  negative,
  success_rate: positive / (positive + negative),
  mean_rating: null,
  rating_count: 0,
  rating_sum: 0,
  rating_sum_sq: 0,
  ...extra,
});

describe('period-over-period tests', () => {
  it('success rate: two-proportion z, relative change, significance', () => {
    const change = successRateChange(totals(120, 180), totals(240, 60), 0.05)!;
    expect(change).toMatchObject({
      metric: 'success_rate',
      test: 'two-proportion z-test (two-sided)',
      significant: true,
    });
    expect(change.difference).toBeCloseTo(-0.4);
    expect(change.relative_percent).toBeCloseTo(-50);
    expect(change.p_value).toBeLessThan(1e-10);
    // 0.50 vs 0.52 on 100 each is noise.
    expect(successRateChange(totals(50, 50), totals(52, 48), 0.05)).toMatchObject({ significant: false });
    expect(successRateChange(totals(0, 0, { samples: 0 }), totals(1, 1), 0.05)).toBeNull();
  });

  it("mean rating: Welch's t from the rating sums", () => {
    const before = { ...totals(1, 1), rating_count: 4, rating_sum: 18, rating_sum_sq: 82, mean_rating: 4.5 }; // 4,4,5,5
    const now = { ...totals(1, 1), rating_count: 4, rating_sum: 8, rating_sum_sq: 20, mean_rating: 2 }; // 1,1,3,3
    const change = meanRatingChange(now, before, 0.05)!;
    expect(change).toMatchObject({ test: "Welch's t-test (two-sided)", difference: -2.5, significant: true });
    expect(change.p_value).toBeCloseTo(0.014906, 5); // scipy.stats.ttest_ind([1,1,3,3],[4,4,5,5], equal_var=False)
    expect(meanRatingChange({ ...now, rating_count: 1 }, before, 0.05)).toBeNull();
  });
});

describe('buildReport', () => {
  const range = periodRange('weekly', '2026-W49');
  const report = buildReport({
    range,
    previousRange: previousPeriod(range),
    // This week: 120/300 succeed; "billing" is the problem (10 of 100), "code" fine (110 of 200).
    current: [
      row('*', '*', 120, 180, ratings(300, 3)),
      row('tag', 'billing', 10, 90),
      row('tag', 'code', 110, 90),
      row('tag', 'tiny', 1, 0),
      row('context.framework', 'cot', 110, 90),
      row('context.framework', 'plain', 10, 90),
    ],
    previous: [row('*', '*', 240, 60, ratings(300, 4)), row('tag', 'code', 120, 30)],
    agentId: null,
    policy,
  });

  it('has the period, its dates, the figures of both periods and the significant change', () => {
    expect(report).toMatchObject({
      period: 'weekly',
      period_id: '2026-W49',
      start_date: '2026-11-30T00:00:00.000Z',
      end_date: '2026-12-07T00:00:00.000Z',
      current: { total_feedback: 300, success_rate: 0.4, mean_rating: 3 },
      previous: { period_id: '2026-W48', success_rate: 0.8, mean_rating: 4 },
      change: { success_rate: { significant: true }, mean_rating: { difference: -1, significant: true } },
      alert: true,
    });
    expect(report.change.success_rate!.relative_percent).toBeCloseTo(-50);
  });

  it('ranks problem areas and top performers with enough samples, and turns them into action items', () => {
    expect(report.problem_areas.map((g) => `${g.dimension}:${g.value}`)).toEqual([
      'tag:billing',
      'context.framework:plain',
    ]);
    expect(report.top_performers.map((g) => `${g.dimension}:${g.value}`)).toEqual([
      'tag:code',
      'context.framework:cot',
    ]);
    expect(report.action_items[0]).toMatch(/^Success rate fell 50.0% against the previous period/);
    expect(report.action_items).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Fix tag "billing": 10.0% success/)]),
    );
  });

  it('does not alert on a drop within the threshold', () => {
    const small = buildReport({
      range,
      previousRange: previousPeriod(range),
      current: [row('*', '*', 85, 15)],
      previous: [row('*', '*', 90, 10)],
      agentId: 'a1',
      policy,
    });
    expect(small.alert).toBe(false);
    expect(small.action_items).toEqual([
      expect.stringMatching(/^Nothing needs action: success 85.0%, down 5.0 points/),
    ]);
  });

  it('renders Markdown with the change, its test and significance', () => {
    const markdown = reportMarkdown({
      ...report,
      report_id: '0193a0a0-0000-7000-8000-000000000000',
      trigger: 'api',
      created_by: 'key:ops',
      created_at: '2026-12-07T10:00:00.000Z',
    });
    expect(markdown).toContain('# Weekly improvement report 2026-W49');
    expect(markdown).toContain('2026-11-30 to 2026-12-06 (UTC) · **ALERT: success rate dropped**');
    expect(markdown).toContain(
      '| success rate | -40.0 points (-50.0%) | two-proportion z-test (two-sided) | < 0.001 | yes (α = 0.05) |',
    );
    expect(markdown).toContain('| tag | billing | 100 | 10.0% |');
    expect(markdown).toContain('## Action items');
  });
});
