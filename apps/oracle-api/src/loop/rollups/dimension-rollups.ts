import type { StoredFeedbackEvent } from '@metaloop/contracts';
import { successVerdict, type SuccessDefinition } from '@metaloop/policies';
import { minuteBucket } from './rollup-aggregation';

/** The dimension of every event (its value is `*` too): totals, and per revision its model and prompt version. */
export const ALL_DIMENSION = '*';
export const TAG_DIMENSION = 'tag';
export const CONTEXT_DIMENSION_PREFIX = 'context.';

/**
 * Cardinality bounds: only top-level context keys that look like identifiers, with string
 * values up to 64 characters, at most 8 keys per event (in key order); longer values are
 * skipped, not cut (a cut value would merge distinct ones).
 */
export const DIMENSION_LIMITS = { contextKeys: 8, keyLength: 64, valueLength: 64 } as const;
export const CONTEXT_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The increments one batch adds to a `feedback_dimension_rollups_hourly` row. */
export interface DimensionRollupRow {
  agent_id: string;
  revision_id: string;
  /** Start of the hour, ISO-8601 UTC. */
  bucket: string;
  /** `*`, `tag` or `context.<key>`. */
  dim: string;
  value: string;
  count: number;
  positive: number;
  negative: number;
  rating_count: number;
  rating_sum: number;
  rating_sum_sq: number;
  complaints: number;
}

type DimensionEvent = Pick<
  StoredFeedbackEvent,
  'agent_id' | 'revision_id' | 'timestamp' | 'received_at' | 'explicit' | 'implicit' | 'tags' | 'context'
>;

const HOUR_MS = 3_600_000;

/** The (dim, value) pairs one event counts towards: `*`, each distinct tag, each bounded string context value. */
export function eventDimensions(event: Pick<DimensionEvent, 'tags' | 'context'>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [[ALL_DIMENSION, ALL_DIMENSION]];
  for (const tag of new Set(event.tags ?? [])) pairs.push([TAG_DIMENSION, tag]);
  const keys = Object.keys(event.context ?? {})
    .filter((key) => key.length <= DIMENSION_LIMITS.keyLength && CONTEXT_KEY_PATTERN.test(key))
    .sort();
  let taken = 0;
  for (const key of keys) {
    if (taken === DIMENSION_LIMITS.contextKeys) break;
    const value = event.context![key];
    if (typeof value !== 'string' || value.length === 0 || value.length > DIMENSION_LIMITS.valueLength) continue;
    pairs.push([CONTEXT_DIMENSION_PREFIX + key, value]);
    taken += 1;
  }
  return pairs;
}

/**
 * Hourly increments per (agent, revision, hour, dimension, value), with the success verdict of
 * the policy's definition. Sorted by key, like the other rollups, so concurrent batches lock
 * rows in one order.
 */
export function dimensionRollups(events: readonly DimensionEvent[], success: SuccessDefinition): DimensionRollupRow[] {
  const rows = new Map<string, DimensionRollupRow>();
  for (const event of events) {
    const revision_id = event.revision_id ?? '';
    const bucket = new Date(Math.floor(Date.parse(minuteBucket(event)) / HOUR_MS) * HOUR_MS).toISOString();
    const verdict = successVerdict(event, success);
    const rating = event.explicit?.rating;
    const complaint = event.explicit?.complaint?.trim() ? 1 : 0;
    for (const [dim, value] of eventDimensions(event)) {
      const key = [event.agent_id, revision_id, bucket, dim, value].join('\u0000');
      let row = rows.get(key);
      if (!row) {
        row = {
          agent_id: event.agent_id,
          revision_id,
          bucket,
          dim,
          value,
          count: 0,
          positive: 0,
          negative: 0,
          rating_count: 0,
          rating_sum: 0,
          rating_sum_sq: 0,
          complaints: 0,
        };
        rows.set(key, row);
      }
      row.count += 1;
      if (verdict === 'positive') row.positive += 1;
      if (verdict === 'negative') row.negative += 1;
      if (rating !== undefined) {
        row.rating_count += 1;
        row.rating_sum += rating;
        row.rating_sum_sq += rating * rating;
      }
      row.complaints += complaint;
    }
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
