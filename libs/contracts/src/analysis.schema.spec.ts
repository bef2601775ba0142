import { analyzeRequestSchema, findingsQuerySchema } from './analysis.schema';

describe('analyze and findings request schemas', () => {
  it("accepts seed 004's analyze body verbatim, event_limit included", () => {
    expect(analyzeRequestSchema.parse({ time_window_hours: 24, event_limit: 1000 })).toEqual({
      time_window_hours: 24,
      event_limit: 1000,
    });
  });

  it('defaults the window to 24 h and takes fractions of hours and an agent list', () => {
    expect(analyzeRequestSchema.parse({})).toEqual({ time_window_hours: 24 });
    expect(
      analyzeRequestSchema.parse({ time_window_hours: 0.5, baseline_window_hours: 168, agent_ids: ['a', 'b-2'] }),
    ).toMatchObject({ time_window_hours: 0.5, agent_ids: ['a', 'b-2'] });
  });

  it.each([
    [{ time_window_hours: 0 }, 'time_window_hours'],
    [{ time_window_hours: 24 * 91 }, 'time_window_hours'],
    [{ event_limit: 0.5 }, 'event_limit'],
    [{ agent_ids: ['no.dots'] }, 'agent_ids.0'],
    [{ extra: true }, ''],
  ])('rejects %j at %s', (body, path) => {
    const result = analyzeRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toEqual([path]);
  });

  it('coerces the findings query from the query string and bounds the page', () => {
    expect(findingsQuerySchema.parse({ limit: '10', type: 'usage_imbalance' })).toEqual({
      limit: 10,
      type: 'usage_imbalance',
    });
    expect(findingsQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(findingsQuerySchema.safeParse({ limit: '501' }).success).toBe(false);
    expect(findingsQuerySchema.safeParse({ status: 'closed' }).success).toBe(false);
  });
});
