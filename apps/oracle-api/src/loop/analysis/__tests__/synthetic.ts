import { latencyBucket } from '@metaloop/core';
import { createRandom, type Random } from '@metaloop/stats';
import { addRollup, emptyRollup, type FeedbackRollupRow } from '../../rollups/rollup-aggregation';
import type { AnalysisSnapshot, ModelCandidate, RetrainView, RevisionSums } from '../analysis-snapshot';
import type { AnalysisWindows, TimeRange } from '../analysis-windows';

/*
 * Synthetic rollups with known truth: events drawn per (agent, revision) from a profile
 * (traffic, success, ratings, log-normal latency, complaints, tokens), optionally changed in
 * the recent window, summed into rollup rows exactly as the ingest consumer would.
 */

export interface Profile {
  eventsPerHour: number;
  success: number;
  /** Share of events carrying a rating; ratings are a rounded normal clamped to 1–5. */
  ratedShare: number;
  ratingMean: number;
  ratingSd: number;
  latencyMedianMs: number;
  /** SD of ln(latency). */
  latencySigma: number;
  errorRate: number;
  complaintRate: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export const NORMAL_PROFILE: Profile = {
  eventsPerHour: 40,
  success: 0.92,
  ratedShare: 0.3,
  ratingMean: 4.1,
  ratingSd: 0.8,
  latencyMedianMs: 800,
  latencySigma: 0.5,
  errorRate: 0.03,
  complaintRate: 0.002,
  tokensIn: 500,
  tokensOut: 200,
  costUsd: 0.004,
};

export interface Stream {
  agent_id: string;
  revision_id: string;
  profile: Profile;
  /** What changes from `changeAt` on (e.g. latency ×1.3). */
  change?: Partial<Profile>;
  changeAt?: Date;
}

const MINUTE_MS = 60_000;
// Bound once: a global `Math` lookup is ~40× slower inside Jest's VM context, and this draws millions.
const { exp, max, min, round, sqrt } = Math;

/**
 * Rollup rows for each stream over [range.from, range.to), one row per `stepMinutes` (its
 * bucket the step's start); the last `fineMinutes` minutes get one row per minute, as a burst
 * window needs. Events per row are Poisson-like (binomial over many tiny slots).
 */
export function syntheticRollups(
  streams: readonly Stream[],
  range: TimeRange,
  seed: number,
  stepMinutes = 1,
  fineMinutes = 0,
): FeedbackRollupRow[] {
  const random = createRandom(seed);
  const rows: FeedbackRollupRow[] = [];
  const end = range.to.getTime();
  const fineFrom = end - fineMinutes * MINUTE_MS;
  for (const stream of streams) {
    for (let t = range.from.getTime(); t < end;) {
      const step = (t >= fineFrom ? 1 : Math.min(stepMinutes, Math.ceil((fineFrom - t) / MINUTE_MS))) * MINUTE_MS;
      const profile =
        stream.changeAt && t >= stream.changeAt.getTime() ? { ...stream.profile, ...stream.change } : stream.profile;
      const expected = (profile.eventsPerHour * step) / 3_600_000;
      const events = poisson(random, expected);
      if (events > 0)
        rows.push({
          agent_id: stream.agent_id,
          revision_id: stream.revision_id,
          bucket: new Date(t).toISOString(),
          ...drawEvents(random, profile, events),
        });
      t += step;
    }
  }
  return rows;
}

function drawEvents(random: Random, p: Profile, events: number) {
  const sums = emptyRollup();
  for (let i = 0; i < events; i++) {
    sums.count += 1;
    const success = random.bernoulli(p.success);
    sums.success_n += 1;
    sums.success_sum += success;
    if (random.next() < p.errorRate) sums.errors += 1;
    if (random.next() < p.ratedShare) {
      const rating = min(5, max(1, round(p.ratingMean + p.ratingSd * random.normal())));
      sums.rating_count += 1;
      sums.rating_sum += rating;
      sums.rating_sum_sq += rating * rating;
      if (rating >= 4) sums.helpful_up += 1;
    }
    if (random.next() < p.complaintRate) sums.complaints += 1;
    const latency = p.latencyMedianMs * exp(p.latencySigma * random.normal());
    sums.latency_count += 1;
    sums.latency_sum_ms += latency;
    sums.latency_hist[latencyBucket(latency)]! += 1;
    sums.tokens_in += p.tokensIn;
    sums.tokens_out += p.tokensOut;
    sums.cost_usd += p.costUsd;
  }
  return sums;
}

/** Poisson draw (Knuth for small means, normal approximation above 50). */
function poisson(random: Random, mean: number): number {
  if (mean > 50) return max(0, round(mean + sqrt(mean) * random.normal()));
  const limit = exp(-mean);
  let k = 0;
  for (let product = random.next(); product > limit; product *= random.next()) k++;
  return k;
}

export interface Registry {
  agents?: AnalysisSnapshot['agents'];
  revisionModels?: Map<string, string>;
  modelCandidates?: Map<string, ModelCandidate[]>;
  retrain?: Map<string, RetrainView>;
}

/**
 * The in-memory counterpart of AnalysisReader's SQL: rows summed per agent, revision and
 * period by their bucket start, and complaints in the burst window.
 */
export function snapshotFromRows(
  rows: readonly FeedbackRollupRow[],
  now: Date,
  windows: AnalysisWindows,
  registry: Registry = {},
): AnalysisSnapshot {
  const groups = new Map<string, RevisionSums>();
  const bursts = new Map<string, { agent_id: string; revision_id: string; complaints: number; events: number }>();
  const within = (at: number, { from, to }: TimeRange) => at >= from.getTime() && at < to.getTime();
  for (const row of rows) {
    const at = Date.parse(row.bucket);
    const period = within(at, windows.window) ? 'window' : within(at, windows.baseline) ? 'baseline' : undefined;
    if (!period) continue;
    const key = `${row.agent_id}\u0000${row.revision_id}`;
    const group = groups.get(key) ?? { agent_id: row.agent_id, revision_id: row.revision_id };
    groups.set(key, group);
    addRollup((group[period] ??= emptyRollup()), row);
    if (within(at, windows.burst)) {
      const burst = bursts.get(key) ?? {
        agent_id: row.agent_id,
        revision_id: row.revision_id,
        complaints: 0,
        events: 0,
      };
      bursts.set(key, burst);
      burst.complaints += row.complaints;
      burst.events += row.count;
    }
  }
  return {
    now,
    windows,
    groups: [...groups.values()],
    bursts: [...bursts.values()].filter((b) => b.complaints > 0),
    agents: registry.agents ?? new Map(),
    revisionModels: registry.revisionModels ?? new Map(),
    modelCandidates: registry.modelCandidates ?? new Map(),
    retrain: registry.retrain ?? new Map(),
  };
}
