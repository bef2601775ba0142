/*
 * The true quality the fleet served, per time window: the mean of q over the sessions that
 * window served (so busy agents count as much as their traffic), overall and per group.
 */

export interface QualityWindow {
  /** Seconds since the run started. */
  start: number;
  end: number;
  sessions: number;
  /** Mean true quality served; null for a window without sessions. */
  quality: number | null;
  /** Share of sessions served by a canary arm. */
  canaryShare: number;
  byGroup: Record<string, { sessions: number; quality: number | null }>;
}

interface Bucket {
  sessions: number;
  sum: number;
  canary: number;
  groups: Map<string, { sessions: number; sum: number }>;
}

export class QualitySeries {
  private readonly buckets: Bucket[] = [];

  constructor(readonly windowSeconds: number) {}

  add(seconds: number, group: string, quality: number, canary: boolean): void {
    const index = Math.max(0, Math.floor(seconds / this.windowSeconds));
    while (this.buckets.length <= index) this.buckets.push({ sessions: 0, sum: 0, canary: 0, groups: new Map() });
    const bucket = this.buckets[index]!;
    bucket.sessions++;
    bucket.sum += quality;
    if (canary) bucket.canary++;
    const g = bucket.groups.get(group) ?? { sessions: 0, sum: 0 };
    g.sessions++;
    g.sum += quality;
    bucket.groups.set(group, g);
  }

  windows(): QualityWindow[] {
    return this.buckets.map((b, i) => ({
      start: i * this.windowSeconds,
      end: (i + 1) * this.windowSeconds,
      sessions: b.sessions,
      quality: b.sessions ? b.sum / b.sessions : null,
      canaryShare: b.sessions ? b.canary / b.sessions : 0,
      byGroup: Object.fromEntries(
        [...b.groups].map(([name, g]) => [
          name,
          { sessions: g.sessions, quality: g.sessions ? g.sum / g.sessions : null },
        ]),
      ),
    }));
  }
}

/**
 * The net gain: the last full window's quality minus the first's. A window counts when it
 * served at least a quarter of the sessions of the median window (the run's cut-off last window and
 * empty ones do not).
 */
export function netGain(
  windows: readonly QualityWindow[],
): { first: QualityWindow; last: QualityWindow; gain: number } | null {
  const counts = windows.map((w) => w.sessions).sort((a, b) => a - b);
  const median = counts[Math.floor(counts.length / 2)] ?? 0;
  const full = windows.filter((w) => w.quality !== null && w.sessions >= median / 4);
  const first = full[0];
  const last = full.at(-1);
  if (!first || !last || first === last) return null;
  return { first, last, gain: last.quality! - first.quality! };
}

/** The windows as one group saw them (its sessions and quality), for that group's own net gain. */
export function groupWindows(windows: readonly QualityWindow[], group: string): QualityWindow[] {
  return windows.map((w) => ({
    start: w.start,
    end: w.end,
    sessions: w.byGroup[group]?.sessions ?? 0,
    quality: w.byGroup[group]?.quality ?? null,
    canaryShare: 0,
    byGroup: {},
  }));
}
