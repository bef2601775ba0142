import { LATENCY_BUCKETS, latencyBucket } from '@metaloop/core';
import { type StoredFeedbackEvent } from '@metaloop/contracts';

/** The summed columns of a rollup row (any span: a minute, an hour, a whole window). */
export interface RollupSums {
  count: number;
  success_n: number;
  success_sum: number;
  errors: number;
  rating_count: number;
  rating_sum: number;
  rating_sum_sq: number;
  helpful_up: number;
  helpful_down: number;
  complaints: number;
  latency_count: number;
  latency_sum_ms: number;
  /** Counts per LATENCY_BUCKETS bucket; added element-wise to the stored array. */
  latency_hist: number[];
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

/** The increments one batch adds to a `feedback_rollups` row (column names as in SQL). */
export interface FeedbackRollupRow extends RollupSums {
  agent_id: string;
  revision_id: string;
  /** Start of the minute, ISO-8601 UTC. */
  bucket: string;
}

/** The increments one batch adds to a `metric_rollups` row. */
export interface MetricRollupRow {
  agent_id: string;
  revision_id: string;
  bucket: string;
  metric: string;
  count: number;
  sum: number;
  sum_sq: number;
}

export interface RollupIncrements {
  feedback: FeedbackRollupRow[];
  metrics: MetricRollupRow[];
}

type RollupEvent = Pick<
  StoredFeedbackEvent,
  'agent_id' | 'revision_id' | 'timestamp' | 'received_at' | 'explicit' | 'implicit' | 'metrics'
>;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The minute an event belongs to: when it happened as the client says, else when it arrived. */
export function minuteBucket(event: Pick<StoredFeedbackEvent, 'timestamp' | 'received_at'>): string {
  const ms = Date.parse(event.timestamp ?? event.received_at);
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS).toISOString();
}

/** 1/0 for a success flag, else the success rate as a fraction; undefined when the event has neither. */
export function successValue(event: Pick<StoredFeedbackEvent, 'implicit'>): number | undefined {
  const success = event.implicit?.success;
  if (success !== undefined) return success ? 1 : 0;
  return event.implicit?.success_rate;
}

/**
 * Aggregates newly stored events into per-minute rollup increments per (agent, revision,
 * minute), and per metric name. Rows come out sorted by key: every replica then locks rows
 * in the same order when it upserts them, so concurrent batches cannot deadlock.
 */
export function aggregateRollups(events: readonly RollupEvent[]): RollupIncrements {
  const feedback = new Map<string, FeedbackRollupRow>();
  const metrics = new Map<string, MetricRollupRow>();
  for (const event of events) {
    const agent_id = event.agent_id;
    const revision_id = event.revision_id ?? '';
    const bucket = minuteBucket(event);
    const key = `${agent_id}\u0000${revision_id}\u0000${bucket}`;
    let row = feedback.get(key);
    if (!row) feedback.set(key, (row = emptyRow(agent_id, revision_id, bucket)));
    addEvent(row, event);
    for (const [metric, value] of Object.entries(event.metrics ?? {})) {
      const metricKey = `${key}\u0000${metric}`;
      let metricRow = metrics.get(metricKey);
      if (!metricRow)
        metrics.set(metricKey, (metricRow = { agent_id, revision_id, bucket, metric, count: 0, sum: 0, sum_sq: 0 }));
      const x = typeof value === 'boolean' ? Number(value) : value;
      metricRow.count += 1;
      metricRow.sum += x;
      metricRow.sum_sq += x * x;
    }
  }
  return {
    feedback: [...feedback.values()].sort((a, b) =>
      compareKeys([a.agent_id, a.revision_id, a.bucket], [b.agent_id, b.revision_id, b.bucket]),
    ),
    metrics: [...metrics.values()].sort((a, b) =>
      compareKeys([a.agent_id, a.revision_id, a.bucket, a.metric], [b.agent_id, b.revision_id, b.bucket, b.metric]),
    ),
  };
}

/**
 * The minute increments summed per hour, for `feedback_rollups_hourly` (written in the same
 * transaction as the minutes), sorted by key like them.
 */
export function hourlyRollups(minutes: readonly FeedbackRollupRow[]): FeedbackRollupRow[] {
  const hours = new Map<string, FeedbackRollupRow>();
  for (const minute of minutes) {
    const bucket = new Date(Math.floor(Date.parse(minute.bucket) / HOUR_MS) * HOUR_MS).toISOString();
    const key = `${minute.agent_id}\u0000${minute.revision_id}\u0000${bucket}`;
    let hour = hours.get(key);
    if (!hour) hours.set(key, (hour = emptyRow(minute.agent_id, minute.revision_id, bucket)));
    addRollup(hour, minute);
  }
  return [...hours.values()].sort((a, b) =>
    compareKeys([a.agent_id, a.revision_id, a.bucket], [b.agent_id, b.revision_id, b.bucket]),
  );
}

/** The scalar columns a rollup sums (the histogram is summed bucket by bucket besides). */
export const ROLLUP_SUM_FIELDS = [
  'count',
  'success_n',
  'success_sum',
  'errors',
  'rating_count',
  'rating_sum',
  'rating_sum_sq',
  'helpful_up',
  'helpful_down',
  'complaints',
  'latency_count',
  'latency_sum_ms',
  'tokens_in',
  'tokens_out',
  'cost_usd',
] as const satisfies ReadonlyArray<keyof RollupSums>;

/** Adds one rollup's sums to another's, histogram bucket by bucket. */
export function addRollup(into: RollupSums, row: RollupSums): void {
  for (const field of ROLLUP_SUM_FIELDS) into[field] += row[field];
  row.latency_hist.forEach((count, i) => (into.latency_hist[i]! += count));
}

function emptyRow(agent_id: string, revision_id: string, bucket: string): FeedbackRollupRow {
  return { agent_id, revision_id, bucket, ...emptyRollup() };
}

/** All sums zero, the histogram LATENCY_BUCKETS zeros. */
export function emptyRollup(): RollupSums {
  return {
    count: 0,
    success_n: 0,
    success_sum: 0,
    errors: 0,
    rating_count: 0,
    rating_sum: 0,
    rating_sum_sq: 0,
    helpful_up: 0,
    helpful_down: 0,
    complaints: 0,
    latency_count: 0,
    latency_sum_ms: 0,
    latency_hist: new Array<number>(LATENCY_BUCKETS).fill(0),
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: 0,
  };
}

function addEvent(row: FeedbackRollupRow, event: RollupEvent): void {
  const { explicit, implicit } = event;
  row.count += 1;
  const success = successValue(event);
  if (success !== undefined) {
    row.success_n += 1;
    row.success_sum += success;
  }
  if (implicit?.success === false || implicit?.error_code) row.errors += 1;
  if (explicit?.rating !== undefined) {
    row.rating_count += 1;
    row.rating_sum += explicit.rating;
    row.rating_sum_sq += explicit.rating * explicit.rating;
  }
  if (explicit?.helpful === true) row.helpful_up += 1;
  if (explicit?.helpful === false) row.helpful_down += 1;
  if (explicit?.complaint?.trim()) row.complaints += 1;
  if (implicit?.response_time_ms !== undefined) {
    row.latency_count += 1;
    row.latency_sum_ms += implicit.response_time_ms;
    row.latency_hist[latencyBucket(implicit.response_time_ms)]! += 1;
  }
  row.tokens_in += implicit?.tokens_in ?? 0;
  row.tokens_out += implicit?.tokens_out ?? 0;
  row.cost_usd += implicit?.cost_usd ?? 0;
}

/** Plain code-unit order (not locale collation): the same on every replica and runtime. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}
