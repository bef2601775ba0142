-- Backfill feedback_dimension_rollups_hourly from the raw events still kept (RETENTION_DAYS), with
-- the default success definition (policy insights.success): a complaint or correction is a
-- failure, then explicit.helpful decides, then rating >= 4, then implicit.success. Dimensions as
-- ingest counts them (apps/oracle-api/src/loop/rollups/dimension-rollups.ts): every event, each
-- distinct tag, and the first 8 top-level context keys (in key order) whose name is 1-64 letters,
-- digits, "_" or "-" and whose value is a string of 1-64 characters. Hours that already have
-- dimension rows (ingested after the previous migration) are left as they are.
WITH events AS (
    SELECT e.event_id, e.agent_id, e.revision_id,
        date_trunc('hour', e.occurred_at, 'UTC') AS bucket,
        CASE
            WHEN nullif(btrim(e.payload #>> '{explicit,complaint}', E' \t\r\n'), '') IS NOT NULL
              OR nullif(btrim(e.payload #>> '{explicit,correction}', E' \t\r\n'), '') IS NOT NULL THEN -1
            WHEN jsonb_typeof(e.payload #> '{explicit,helpful}') = 'boolean' THEN
                CASE WHEN (e.payload #>> '{explicit,helpful}')::boolean THEN 1 ELSE -1 END
            WHEN jsonb_typeof(e.payload #> '{explicit,rating}') = 'number' THEN
                CASE WHEN (e.payload #>> '{explicit,rating}')::float8 >= 4 THEN 1 ELSE -1 END
            WHEN jsonb_typeof(e.payload #> '{implicit,success}') = 'boolean' THEN
                CASE WHEN (e.payload #>> '{implicit,success}')::boolean THEN 1 ELSE -1 END
            ELSE 0
        END AS verdict,
        (e.payload #>> '{explicit,rating}')::float8 AS rating,
        CASE WHEN nullif(btrim(e.payload #>> '{explicit,complaint}', E' \t\r\n'), '') IS NOT NULL THEN 1 ELSE 0 END AS complaint,
        e.payload
    FROM feedback_events e
    WHERE NOT EXISTS (
        SELECT 1 FROM feedback_dimension_rollups_hourly d
        WHERE d.agent_id = e.agent_id AND d.revision_id = e.revision_id
          AND d.bucket = date_trunc('hour', e.occurred_at, 'UTC') AND d.dim = '*'
    )
), context_values AS (
    SELECT event_id, 'context.' || key AS dim, value
    FROM (
        SELECT ev.event_id, c.key, c.value #>> '{}' AS value,
            row_number() OVER (PARTITION BY ev.event_id ORDER BY c.key COLLATE "C") AS n
        FROM events ev, jsonb_each(CASE WHEN jsonb_typeof(ev.payload -> 'context') = 'object' THEN ev.payload -> 'context' ELSE '{}'::jsonb END) AS c
        WHERE c.key ~ '^[A-Za-z0-9_-]{1,64}$'
          AND jsonb_typeof(c.value) = 'string'
          AND char_length(c.value #>> '{}') BETWEEN 1 AND 64
    ) keyed
    WHERE n <= 8
), dimensions AS (
    SELECT event_id, '*' AS dim, '*' AS value FROM events
    UNION ALL
    SELECT DISTINCT ev.event_id, 'tag', t.tag
    FROM events ev, jsonb_array_elements_text(CASE WHEN jsonb_typeof(ev.payload -> 'tags') = 'array' THEN ev.payload -> 'tags' ELSE '[]'::jsonb END) AS t(tag)
    UNION ALL
    SELECT event_id, dim, value FROM context_values
)
INSERT INTO feedback_dimension_rollups_hourly
    (agent_id, revision_id, bucket, dim, value, count, positive, negative, rating_count, rating_sum, rating_sum_sq, complaints)
SELECT ev.agent_id, ev.revision_id, ev.bucket, d.dim, d.value,
    count(*)::int,
    count(*) FILTER (WHERE ev.verdict = 1)::int,
    count(*) FILTER (WHERE ev.verdict = -1)::int,
    count(ev.rating)::int,
    coalesce(sum(ev.rating), 0),
    coalesce(sum(ev.rating * ev.rating), 0),
    sum(ev.complaint)::int
FROM events ev JOIN dimensions d ON d.event_id = ev.event_id
GROUP BY ev.agent_id, ev.revision_id, ev.bucket, d.dim, d.value;
