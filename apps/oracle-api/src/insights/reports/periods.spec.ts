import { isoWeekId, lastCompletePeriod, periodRange, previousPeriod } from './periods';

describe('report periods', () => {
  it.each([
    ['2026-12-07T10:00:00Z', '2026-W50'],
    ['2026-12-06T23:59:59Z', '2026-W49'],
    ['2021-01-03T12:00:00Z', '2020-W53'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
  ])('%s is in ISO week %s', (date, week) => {
    expect(isoWeekId(new Date(date))).toBe(week);
  });

  it('gives a week Monday to Monday and a month first to first, in UTC', () => {
    expect(periodRange('weekly', '2026-W49')).toMatchObject({
      from: new Date('2026-11-30T00:00:00Z'),
      to: new Date('2026-12-07T00:00:00Z'),
    });
    expect(periodRange('weekly', '2020-W53').from).toEqual(new Date('2020-12-28T00:00:00Z'));
    expect(periodRange('monthly', '2026-12')).toMatchObject({
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it('refuses ids that name no period', () => {
    expect(() => periodRange('weekly', '2025-W53')).toThrow('2025 has no ISO week 53');
    expect(() => periodRange('weekly', '2026-12')).toThrow(RangeError);
    expect(() => periodRange('monthly', '2026-13')).toThrow(RangeError);
  });

  it('defaults to the last complete period, and knows the one before', () => {
    const now = new Date('2026-12-07T09:46:00Z');
    expect(lastCompletePeriod('weekly', now).id).toBe('2026-W49');
    expect(lastCompletePeriod('monthly', now).id).toBe('2026-11');
    expect(previousPeriod(periodRange('weekly', '2026-W01')).id).toBe('2025-W52');
    expect(previousPeriod(periodRange('monthly', '2026-01')).id).toBe('2025-12');
  });
});
