/** The same lock as loop/memory's: no interaction is learned from while the subject is erased. */
export const LOCK_SUBJECT = `SELECT pg_advisory_xact_lock(hashtextextended('subject-memory:' || $1, 0))::text AS locked`;

export const SELECT_ITEMS = `
SELECT id, kind, text, key, weight, confidence, tags, agent_id AS "agentId", updated_at AS "updatedAt"
FROM subject_memory_items WHERE subject_id = $1`;

export const SELECT_FACETS = `SELECT name, value, updated_at AS "updatedAt" FROM subject_facets WHERE subject_id = $1`;

const SELECTION_LOG_LINE = `
json_build_object('timestamp', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'user_id', subject_id, 'agent_id', agent_id, 'event_id', event_id, 'user_input', user_input, 'context', context,
  'hypotheses', options, 'selected_id', selected_id, 'label', label)::text AS line`;

const PERSONA_UPDATE_LINE = `
json_build_object('timestamp', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'user_id', subject_id, 'agent_id', agent_id, 'event_id', event_id, 'old_facets', old_facets,
  'new_facets', new_facets, 'facet_deltas', deltas, 'signals', signals, 'source', source)::text AS line`;

export const SUBJECT_SELECTION_LOGS = `SELECT ${SELECTION_LOG_LINE} FROM subject_selection_logs WHERE subject_id = $1 ORDER BY occurred_at, id`;
export const SUBJECT_PERSONA_UPDATES = `SELECT ${PERSONA_UPDATE_LINE} FROM subject_persona_updates WHERE subject_id = $1 ORDER BY occurred_at, id`;

/** A page of seed 002's training logs of all subjects (keyset on (occurred_at, id)), optionally of one agent and window. */
const page = (table: string, line: string) => `
SELECT ${line}, occurred_at, id FROM ${table}
WHERE ($1::text IS NULL OR agent_id = $1) AND ($2::timestamptz IS NULL OR occurred_at >= $2)
  AND ($3::timestamptz IS NULL OR occurred_at < $3)
  AND ($4::timestamptz IS NULL OR (occurred_at, id) > ($4::timestamptz, $5::uuid))
ORDER BY occurred_at, id LIMIT $6::int`;
export const SELECTION_LOGS_PAGE = page('subject_selection_logs', SELECTION_LOG_LINE);
export const PERSONA_UPDATES_PAGE = page('subject_persona_updates', PERSONA_UPDATE_LINE);

export const COUNT_EVENTS = `SELECT count(*)::int AS n FROM feedback_events WHERE subject_id = $1`;

export const DELETE_MEMORY = `DELETE FROM subject_memory_items WHERE subject_id = $1`;
export const DELETE_FACETS = `DELETE FROM subject_facets WHERE subject_id = $1`;
export const DELETE_SELECTION_LOGS = `DELETE FROM subject_selection_logs WHERE subject_id = $1`;
export const DELETE_PERSONA_UPDATES = `DELETE FROM subject_persona_updates WHERE subject_id = $1`;

/**
 * The subject's raw feedback events keep their measurements (rating, helpful, success, latency,
 * tokens, cost, tags: what the rollups and analysis count) but lose what is personal: the
 * subject_id, the artifacts (input, output), the context, the selection, the correction and the
 * comment; a complaint's text becomes "[erased]" (still counted as a complaint).
 */
export const SCRUB_EVENTS = `
UPDATE feedback_events SET
  subject_id = NULL,
  complaint = CASE WHEN complaint IS NULL THEN NULL ELSE '[erased]' END,
  payload = CASE WHEN payload #> '{explicit,complaint}' IS NULL THEN s.scrubbed
                 ELSE jsonb_set(s.scrubbed, '{explicit,complaint}', '"[erased]"') END
FROM (SELECT event_id AS id,
             (payload - 'subject_id' - 'artifacts' - 'context')
               #- '{explicit,selection}' #- '{explicit,correction}' #- '{explicit,comment}' AS scrubbed
      FROM feedback_events WHERE subject_id = $1) AS s
WHERE feedback_events.event_id = s.id`;
