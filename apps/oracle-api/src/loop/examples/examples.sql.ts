/**
 * One example per (agent, content): a repeat keeps the better (or equal, so the latest) event's
 * attribution and quality; a new embedder's vector replaces the old. A demoted example stays
 * demoted. A feedback example whose session (or inference) already had a complaint or correction
 * (`example_demotions`, whichever arrived first) is written demoted, as if the complaint had come
 * after it. Returns a row when anything was written, `demoted` when this write demoted it.
 */
export const UPSERT_EXAMPLE = `
WITH mark AS (
  SELECT reason FROM example_demotions
  WHERE $7::text = 'feedback' AND agent_id = $2 AND session_id = $5
    AND (inference_id = '' OR inference_id = $6::text)
  ORDER BY created_at LIMIT 1),
prior AS (SELECT demoted_at FROM examples WHERE agent_id = $2 AND content_hash = $11)
INSERT INTO examples (id, agent_id, revision_id, event_id, session_id, inference_id, source, input, output,
                      quality, content_hash, embedding, embedder, demoted_at, demote_reason, updated_at)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::real[], $13,
        (SELECT now() FROM mark), (SELECT reason FROM mark), now())
ON CONFLICT (agent_id, content_hash) DO UPDATE SET
  revision_id = EXCLUDED.revision_id, event_id = EXCLUDED.event_id, session_id = EXCLUDED.session_id,
  inference_id = EXCLUDED.inference_id, source = EXCLUDED.source, quality = EXCLUDED.quality,
  embedding = EXCLUDED.embedding, embedder = EXCLUDED.embedder, updated_at = now(),
  demoted_at = COALESCE(examples.demoted_at, EXCLUDED.demoted_at),
  demote_reason = CASE WHEN examples.demoted_at IS NULL THEN EXCLUDED.demote_reason ELSE examples.demote_reason END
WHERE EXCLUDED.quality >= examples.quality OR EXCLUDED.embedder <> examples.embedder
RETURNING id, (demoted_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM prior WHERE demoted_at IS NOT NULL)) AS demoted`;

/** Remembers a complaint or correction of the session ('' inference: all of it), for good events that arrive later. */
export const MARK_DEMOTION = `
INSERT INTO example_demotions (agent_id, session_id, inference_id, reason)
VALUES ($1, $2, COALESCE($3::text, ''), $4)
ON CONFLICT (agent_id, session_id, inference_id) DO NOTHING`;

/** Demotes the session's (and inference's) examples of good feedback; corrections are a person's own answers. */
export const DEMOTE_EXAMPLES = `
UPDATE examples SET demoted_at = now(), demote_reason = $4, updated_at = now()
WHERE agent_id = $1 AND session_id = $2 AND ($3::text IS NULL OR inference_id = $3)
  AND source = 'feedback' AND demoted_at IS NULL`;

/** Beyond the cap, the demoted go first, then the lowest quality, then the oldest. */
export const ENFORCE_CAP = `
DELETE FROM examples WHERE id IN (
  SELECT id FROM examples WHERE agent_id = $1
  ORDER BY (demoted_at IS NULL), quality, updated_at
  LIMIT GREATEST(0, (SELECT count(*) FROM examples WHERE agent_id = $1) - $2::int))`;

/** Complaints and corrections remembered longer than the examples' retention, a chunk at a time. */
export const PURGE_EXPIRED_DEMOTIONS = `
DELETE FROM example_demotions WHERE ctid IN (
  SELECT ctid FROM example_demotions WHERE created_at < $1::timestamptz LIMIT $2::int)`;

/** Examples not renewed by feedback for the retention period, a chunk at a time. */
export const PURGE_EXPIRED = `
DELETE FROM examples WHERE id IN (
  SELECT id FROM examples WHERE updated_at < $1::timestamptz LIMIT $2::int)
RETURNING agent_id`;

/**
 * Example writes of events that carry a subject hold this lock shared, a subject's erasure holds it
 * exclusively: the erasure waits for such writes in flight, and a write after it sees the scrubbed
 * events. Keyed per schema (one metaloop per schema; test suites share a database).
 */
const ERASURE_LOCK_KEY = `hashtextextended('examples-erasure:' || current_schema(), 0)`;
export const LOCK_FOR_SUBJECT_WRITES = `SELECT pg_advisory_xact_lock_shared(${ERASURE_LOCK_KEY})::text AS locked`;
export const LOCK_FOR_ERASURE = `SELECT pg_advisory_xact_lock(${ERASURE_LOCK_KEY})::text AS locked`;

/**
 * A subject's erasure: the examples whose source event is one of the subject's, found through the
 * raw events before they are scrubbed (an example names its latest event, not the subject).
 */
export const DELETE_SUBJECT_EXAMPLES = `
DELETE FROM examples WHERE (agent_id, event_id) IN (
  SELECT agent_id, event_id FROM feedback_events WHERE subject_id = $1)
RETURNING agent_id`;

/** Of these events, those whose stored row still names a subject (an erasure scrubs it). */
export const STILL_NAMED = `SELECT event_id FROM feedback_events WHERE event_id = ANY($1::text[]) AND subject_id IS NOT NULL`;
