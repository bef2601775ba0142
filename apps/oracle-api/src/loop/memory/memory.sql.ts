/** One subject's updates at a time across replicas (the facets are read, moved and written back). */
export const LOCK_SUBJECT = `SELECT pg_advisory_xact_lock(hashtextextended('subject-memory:' || $1, 0))::text AS locked`;

/**
 * Of these events, those whose stored row still names the subject: an erasure (under the same
 * lock) scrubs them, so an event queued before it is not learned from after it.
 */
export const STILL_NAMED = `SELECT event_id FROM feedback_events WHERE event_id = ANY($1::text[]) AND subject_id = $2`;

/** The interaction's HISTORY item; no row back when the event was already learned from (a redelivery). */
export const INSERT_HISTORY = `
INSERT INTO subject_memory_items (id, subject_id, agent_id, kind, text, key, weight, confidence, tags, event_id, updated_at)
VALUES ($1::uuid, $2, $3, 'HISTORY', $4, $5, 1, 1, $6::text[], $5, $7::timestamptz)
ON CONFLICT (subject_id, kind, key) DO NOTHING
RETURNING id`;

export const SELECT_ITEMS = `
SELECT id, kind, text, key, weight, confidence, tags, agent_id AS "agentId", updated_at AS "updatedAt"
FROM subject_memory_items WHERE subject_id = $1`;

export const SELECT_FACETS = `SELECT name, value FROM subject_facets WHERE subject_id = $1`;

/** A goal or preference learned for the first time (or, on a race the lock rules out, merged by key). */
export const INSERT_ITEM = `
INSERT INTO subject_memory_items (id, subject_id, agent_id, kind, text, key, weight, confidence, tags, event_id, updated_at)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10, $11::timestamptz)
ON CONFLICT (subject_id, kind, key) DO UPDATE SET
  text = EXCLUDED.text, weight = EXCLUDED.weight, confidence = EXCLUDED.confidence, tags = EXCLUDED.tags,
  agent_id = EXCLUDED.agent_id, event_id = EXCLUDED.event_id, updated_at = EXCLUDED.updated_at`;

export const UPDATE_ITEM = `
UPDATE subject_memory_items SET text = $2, key = $3, weight = $4, confidence = $5, tags = $6::text[],
  agent_id = $7, event_id = $8, updated_at = GREATEST(updated_at, $9::timestamptz)
WHERE id = $1::uuid`;

export const UPSERT_FACETS = `
INSERT INTO subject_facets (subject_id, name, value, updated_at)
SELECT $1, f.name, f.value, $4::timestamptz FROM unnest($2::text[], $3::float8[]) AS f(name, value)
ON CONFLICT (subject_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`;

export const INSERT_PERSONA_UPDATE = `
INSERT INTO subject_persona_updates (id, event_id, subject_id, agent_id, old_facets, new_facets, deltas, signals, source, occurred_at)
VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10::timestamptz)`;

export const INSERT_SELECTION_LOG = `
INSERT INTO subject_selection_logs (id, event_id, subject_id, agent_id, session_id, user_input, context, options, selected_id, label, occurred_at)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11::timestamptz)
ON CONFLICT (event_id) DO NOTHING`;

export const DELETE_ITEMS = `DELETE FROM subject_memory_items WHERE id = ANY($1::uuid[])`;

/** HISTORY past its retention, for subjects who did not come back (a chunk at a time). */
export const PURGE_EXPIRED_HISTORY = `
DELETE FROM subject_memory_items WHERE id IN (
  SELECT id FROM subject_memory_items WHERE kind = 'HISTORY' AND updated_at < $1::timestamptz LIMIT $2::int)`;
