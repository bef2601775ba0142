import { LATENCY_BUCKETS } from '@metaloop/core';
import { ROLLUP_SUM_FIELDS } from '../rollups/rollup-aggregation';
import { rollupSegments, type TimeRange } from './analysis-windows';

/*
 * The analysis statements: sums over rollups per (agent, revision, period) in one GROUP BY,
 * the histogram summed bucket by bucket (one sum per bucket: no unnest, so one pass over
 * the rows). Sums come back as float8, which node-postgres returns as numbers (exact to 2^53).
 */

const sums = [
  ...ROLLUP_SUM_FIELDS.map((field) => `sum(${field})::float8 AS ${field}`),
  `ARRAY[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `coalesce(sum(latency_hist[${i + 1}]), 0)::float8`).join(', ')}] AS latency_hist`,
].join(',\n  ');
const columns = ['agent_id', 'revision_id', ...ROLLUP_SUM_FIELDS, 'latency_hist'].join(', ');

export interface RollupQuery {
  text: string;
  values: unknown[];
}

/**
 * Sums of the rollups per agent, revision and period, each period (e.g. `window`, `baseline`)
 * read as whole hours plus the minutes of its partial edge hours. `agentIds` restricts the agents.
 */
export function periodSumsQuery(
  periods: Readonly<Record<string, TimeRange>>,
  agentIds?: readonly string[],
): RollupQuery {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const agentFilter = agentIds ? ` AND agent_id = ANY(${param(agentIds)}::text[])` : '';
  const parts = Object.entries(periods).flatMap(([period, range]) =>
    rollupSegments(range).map(
      (segment) =>
        `SELECT ${param(period)}::text AS period, ${columns} FROM ${segment.table}
    WHERE bucket >= ${param(segment.from.toISOString())}::timestamptz AND bucket < ${param(segment.to.toISOString())}::timestamptz${agentFilter}`,
    ),
  );
  if (parts.length === 0) return { text: 'SELECT NULL::text AS agent_id WHERE false', values: [] };
  return {
    text: `SELECT agent_id, revision_id, period,
  ${sums}
FROM (
  ${parts.join('\n  UNION ALL\n  ')}
) AS rollups
GROUP BY agent_id, revision_id, period`,
    values,
  };
}

/** Complaints and events per agent and revision in a range of whole minutes (the burst window is short). */
export const BURST_COMPLAINTS = `
SELECT agent_id, revision_id, sum(complaints)::float8 AS complaints, sum(count)::float8 AS events
FROM feedback_rollups
WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND agent_id = ANY($3::text[])
GROUP BY agent_id, revision_id
HAVING sum(complaints) > 0`;

/**
 * New quality samples per agent since its retrain_state.samples_since (always the start of an
 * hour): whole hours from the hourly rollups up to the current hour ($1), then the minutes of
 * the current hour up to now ($2). $3 = the earliest samples_since, which bounds the scan.
 */
export const NEW_QUALITY_SAMPLES = `
SELECT s.agent_id, coalesce(sum(r.success_n), 0)::float8 AS samples
FROM retrain_state s
JOIN (
  SELECT agent_id, bucket, success_n FROM feedback_rollups_hourly WHERE bucket >= $3::timestamptz AND bucket < $1::timestamptz
  UNION ALL
  SELECT agent_id, $1::timestamptz AS bucket, success_n FROM feedback_rollups WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz
) r ON r.agent_id = s.agent_id AND r.bucket >= s.samples_since
WHERE s.agent_id = ANY($4::text[])
GROUP BY s.agent_id`;

export const RETRAIN_STATES = `
SELECT agent_id, first_seen_at, samples_since, last_triggered_at FROM retrain_state WHERE agent_id = ANY($1::text[])`;

export const AGENTS = `
SELECT id AS agent_id, environment::text AS environment, stable_revision_id FROM agents WHERE id = ANY($1::text[])`;

export const REVISION_MODELS = `
SELECT id AS revision_id, config->>'model' AS model FROM revisions WHERE agent_id = ANY($1::text[])`;

export const MODEL_CANDIDATES = `
SELECT agent_id, key AS model, spec FROM candidates WHERE type = 'model' AND agent_id = ANY($1::text[])`;

/** First sight of an agent anchors its weekly schedule and sample count; a trigger restarts both. */
export const UPSERT_RETRAIN_STATES = `
INSERT INTO retrain_state AS s (agent_id, first_seen_at, samples_since, last_triggered_at, last_reason, updated_at)
SELECT agent_id, $2::timestamptz, samples_since, last_triggered_at, last_reason, $2::timestamptz
FROM json_to_recordset($1::json) AS r(agent_id text, samples_since timestamptz, last_triggered_at timestamptz, last_reason text)
ON CONFLICT (agent_id) DO UPDATE SET
  samples_since = EXCLUDED.samples_since,
  last_triggered_at = EXCLUDED.last_triggered_at,
  last_reason = EXCLUDED.last_reason,
  updated_at = EXCLUDED.updated_at`;
