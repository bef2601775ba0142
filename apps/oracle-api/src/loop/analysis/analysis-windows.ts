/*
 * The time ranges one analysis compares, and how each is read: whole hours from
 * feedback_rollups_hourly, the partial hours at its edges from the per-minute rollups. A
 * minute (or hour) belongs to a range when its start does; ranges are half-open [from, to).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface AnalysisWindows {
  /** The recent window, ending now. */
  window: TimeRange;
  /** The baseline it is compared with, just before it. */
  baseline: TimeRange;
  /** The last minutes in which complaints count towards a burst. */
  burst: TimeRange;
}

export function analysisWindows(
  now: Date,
  windowHours: number,
  baselineHours: number,
  burstMinutes: number,
): AnalysisWindows {
  const to = now.getTime();
  const from = to - windowHours * HOUR_MS;
  return {
    window: { from: new Date(from), to: now },
    baseline: { from: new Date(from - baselineHours * HOUR_MS), to: new Date(from) },
    burst: { from: new Date(to - burstMinutes * MINUTE_MS), to: now },
  };
}

export interface RollupSegment extends TimeRange {
  table: 'feedback_rollups' | 'feedback_rollups_hourly';
}

/** [from, to) as whole hours plus the minutes of the partial hours at either end. */
export function rollupSegments({ from, to }: TimeRange): RollupSegment[] {
  const start = from.getTime();
  const end = to.getTime();
  if (end <= start) return [];
  const firstHour = Math.ceil(start / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(end / HOUR_MS) * HOUR_MS;
  const minutes = (a: number, b: number): RollupSegment => ({
    table: 'feedback_rollups',
    from: new Date(a),
    to: new Date(b),
  });
  if (firstHour >= lastHour) return [minutes(start, end)];
  const segments: RollupSegment[] = [];
  if (start < firstHour) segments.push(minutes(start, firstHour));
  segments.push({ table: 'feedback_rollups_hourly', from: new Date(firstHour), to: new Date(lastHour) });
  if (lastHour < end) segments.push(minutes(lastHour, end));
  return segments;
}

/** The start of the hour after `at` (or `at` itself when it is one): where retrain sample counting resumes. */
export function nextHour(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);
}

export function hourStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}
