import { MONTH_ID, WEEK_ID, type ReportPeriod } from '@metaloop/contracts';

/** A report period: its id and [from, to) in UTC. */
export interface PeriodRange {
  period: ReportPeriod;
  id: string;
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Monday 00:00 UTC of the ISO week holding `date`. */
function mondayOf(date: Date): Date {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
}

/** The ISO week id (`2026-W49`) of a date: the year is the one of that week's Thursday. */
export function isoWeekId(date: Date): string {
  const monday = mondayOf(date);
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / WEEK_MS) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const monthId = (date: Date) => `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;

/** The range of a period id; throws RangeError for an id that is malformed or names no such week (W53 of a 52-week year). */
export function periodRange(period: ReportPeriod, id: string): PeriodRange {
  if (period === 'weekly') {
    if (!WEEK_ID.test(id)) throw new RangeError(`"${id}" is not an ISO week like 2026-W49`);
    const [year, week] = id.split('-W').map(Number) as [number, number];
    // Week 1 is the week of 4 January.
    const from = new Date(mondayOf(new Date(Date.UTC(year, 0, 4))).getTime() + (week - 1) * WEEK_MS);
    if (isoWeekId(from) !== id) throw new RangeError(`${year} has no ISO week ${week}`);
    return { period, id, from, to: new Date(from.getTime() + WEEK_MS) };
  }
  if (!MONTH_ID.test(id)) throw new RangeError(`"${id}" is not a month like 2026-12`);
  const [year, month] = id.split('-').map(Number) as [number, number];
  return { period, id, from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)) };
}

/** The period that holds `date`. */
export function periodOf(period: ReportPeriod, date: Date): PeriodRange {
  return periodRange(period, period === 'weekly' ? isoWeekId(date) : monthId(date));
}

/** The period just before. */
export function previousPeriod(range: PeriodRange): PeriodRange {
  return periodOf(range.period, new Date(range.from.getTime() - 1));
}

/** The last period that ended at or before `now` (the default of a report). */
export function lastCompletePeriod(period: ReportPeriod, now: Date): PeriodRange {
  return previousPeriod(periodOf(period, now));
}
