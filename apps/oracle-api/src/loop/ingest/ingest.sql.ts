/**
 * The ingest statements. Each takes ONE parameter, a JSON array of row objects, and reads it
 * with json_to_recordset: one round trip per table however big the batch, no per-row
 * parameters, and Postgres rather than the client converts the types. Rows are processed
 * in array order, which the writer sorts by key, so concurrent batches lock in one order.
 */
type Columns = Readonly<Record<string, string>>;

const FEEDBACK_EVENT_COLUMNS: Columns = {
  event_id: 'text',
  agent_id: 'text',
  session_id: 'text',
  revision_id: 'text',
  inference_id: 'text',
  subject_id: 'text',
  occurred_at: 'timestamptz',
  received_at: 'timestamptz',
  rating: 'float8',
  helpful: 'boolean',
  complaint: 'text',
  success: 'float8',
  response_time_ms: 'float8',
  error_code: 'text',
  tokens_in: 'int',
  tokens_out: 'int',
  cost_usd: 'float8',
  tags: 'text[]',
  payload: 'jsonb',
};

const SYSTEM_METRIC_COLUMNS: Columns = {
  id: 'uuid',
  source: 'text',
  name: 'text',
  value: 'float8',
  unit: 'text',
  labels: 'jsonb',
  agent_id: 'text',
  occurred_at: 'timestamptz',
  received_at: 'timestamptz',
};

const ROLLUP_KEY: Columns = { agent_id: 'text', revision_id: 'text', bucket: 'timestamptz' };

/** Counters added on conflict; latency_hist is added element-wise separately. */
const FEEDBACK_ROLLUP_SUMS: Columns = {
  count: 'int',
  success_n: 'int',
  success_sum: 'float8',
  errors: 'int',
  rating_count: 'int',
  rating_sum: 'float8',
  rating_sum_sq: 'float8',
  helpful_up: 'int',
  helpful_down: 'int',
  complaints: 'int',
  latency_count: 'int',
  latency_sum_ms: 'float8',
  tokens_in: 'bigint',
  tokens_out: 'bigint',
  cost_usd: 'float8',
};

const METRIC_ROLLUP_KEY: Columns = { ...ROLLUP_KEY, metric: 'text' };
const METRIC_ROLLUP_SUMS: Columns = { count: 'int', sum: 'float8', sum_sq: 'float8' };

const names = (columns: Columns) => Object.keys(columns).join(', ');
const recordset = (columns: Columns) =>
  `json_to_recordset($1::json) AS r(${Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ')})`;
const addOnConflict = (columns: Columns) =>
  Object.keys(columns)
    .map((name) => `${name} = t.${name} + EXCLUDED.${name}`)
    .join(',\n  ');

/** Returns the ids actually inserted: only those count towards rollups (a redelivery inserts none). */
export const INSERT_FEEDBACK_EVENTS = `
INSERT INTO feedback_events (${names(FEEDBACK_EVENT_COLUMNS)})
SELECT ${names(FEEDBACK_EVENT_COLUMNS)} FROM ${recordset(FEEDBACK_EVENT_COLUMNS)}
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id`;

export const INSERT_SYSTEM_METRICS = `
INSERT INTO system_metrics (${names(SYSTEM_METRIC_COLUMNS)})
SELECT ${names(SYSTEM_METRIC_COLUMNS)} FROM ${recordset(SYSTEM_METRIC_COLUMNS)}
ON CONFLICT (id) DO NOTHING
RETURNING id`;

const FEEDBACK_ROLLUP_COLUMNS: Columns = { ...ROLLUP_KEY, ...FEEDBACK_ROLLUP_SUMS, latency_hist: 'int[]' };

const upsertFeedbackRollups = (table: string) => `
INSERT INTO ${table} AS t (${names(FEEDBACK_ROLLUP_COLUMNS)})
SELECT ${names(FEEDBACK_ROLLUP_COLUMNS)} FROM ${recordset(FEEDBACK_ROLLUP_COLUMNS)}
ON CONFLICT (agent_id, revision_id, bucket) DO UPDATE SET
  ${addOnConflict(FEEDBACK_ROLLUP_SUMS)},
  latency_hist = ARRAY(
    SELECT COALESCE(h.stored, 0) + COALESCE(h.added, 0)
    FROM unnest(t.latency_hist, EXCLUDED.latency_hist) WITH ORDINALITY AS h(stored, added, i)
    ORDER BY h.i
  )`;

export const UPSERT_FEEDBACK_ROLLUPS = upsertFeedbackRollups('feedback_rollups');
/** The same increments summed per hour; written after the minutes, in the same transaction and key order. */
export const UPSERT_FEEDBACK_ROLLUPS_HOURLY = upsertFeedbackRollups('feedback_rollups_hourly');

const METRIC_ROLLUP_COLUMNS: Columns = { ...METRIC_ROLLUP_KEY, ...METRIC_ROLLUP_SUMS };

export const UPSERT_METRIC_ROLLUPS = `
INSERT INTO metric_rollups AS t (${names(METRIC_ROLLUP_COLUMNS)})
SELECT ${names(METRIC_ROLLUP_COLUMNS)} FROM ${recordset(METRIC_ROLLUP_COLUMNS)}
ON CONFLICT (agent_id, revision_id, bucket, metric) DO UPDATE SET
  ${addOnConflict(METRIC_ROLLUP_SUMS)}`;

const DIMENSION_ROLLUP_KEY: Columns = { ...ROLLUP_KEY, dim: 'text', value: 'text' };
const DIMENSION_ROLLUP_SUMS: Columns = {
  count: 'int',
  positive: 'int',
  negative: 'int',
  rating_count: 'int',
  rating_sum: 'float8',
  rating_sum_sq: 'float8',
  complaints: 'int',
};
const DIMENSION_ROLLUP_COLUMNS: Columns = { ...DIMENSION_ROLLUP_KEY, ...DIMENSION_ROLLUP_SUMS };

/** Hourly counts per tag / context value (patterns and reports), after the other rollups, in key order. */
export const UPSERT_DIMENSION_ROLLUPS = `
INSERT INTO feedback_dimension_rollups_hourly AS t (${names(DIMENSION_ROLLUP_COLUMNS)})
SELECT ${names(DIMENSION_ROLLUP_COLUMNS)} FROM ${recordset(DIMENSION_ROLLUP_COLUMNS)}
ON CONFLICT (agent_id, revision_id, bucket, dim, value) DO UPDATE SET
  ${addOnConflict(DIMENSION_ROLLUP_SUMS)}`;
