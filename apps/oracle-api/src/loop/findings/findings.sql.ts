import { ACTIVE_ROLLOUT_STATUSES } from '@metaloop/contracts';

/** The statuses of a rollout in progress, as SQL literals (constants, never input). */
const ACTIVE_ROLLOUT_SQL = ACTIVE_ROLLOUT_STATUSES.map((status) => `'${status}'`).join(', ');

/**
 * Upserts findings on dedup_key: a new problem is inserted open; one already open (or planned,
 * deferred or dismissed) is counted again (occurrences, last_seen_at, latest evidence); a resolved
 * or superseded one that recurs is reopened. Answers each row under Prisma's field names (so one mapping serves
 * this and the Prisma queries) with the status it had before ("priorStatus", null when new).
 * $1 = JSON array of drafts sorted by dedup_key (one lock order), $2 = now.
 */
export const UPSERT_FINDINGS = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json) AS r(
    id uuid, type text, agent_id text, revision_id text, severity text, confidence float8, summary text, evidence jsonb, dedup_key text)
),
prior AS (
  SELECT f.dedup_key, f.status::text AS prior_status FROM findings f JOIN input USING (dedup_key)
),
upserted AS (
  INSERT INTO findings AS f (id, type, agent_id, revision_id, severity, confidence, summary, evidence, dedup_key, status, occurrences, first_seen_at, last_seen_at)
  SELECT id, type::"FindingType", agent_id, revision_id, severity::"Severity", confidence, summary, evidence, dedup_key, 'open', 1, $2::timestamptz, $2::timestamptz
  FROM input
  ON CONFLICT (dedup_key) DO UPDATE SET
    severity = EXCLUDED.severity,
    confidence = EXCLUDED.confidence,
    summary = EXCLUDED.summary,
    evidence = EXCLUDED.evidence,
    revision_id = EXCLUDED.revision_id,
    occurrences = f.occurrences + 1,
    last_seen_at = EXCLUDED.last_seen_at,
    status = CASE WHEN f.status IN ('resolved', 'superseded') THEN 'open'::"FindingStatus" ELSE f.status END,
    resolved_at = CASE WHEN f.status IN ('resolved', 'superseded') THEN NULL ELSE f.resolved_at END
  RETURNING f.*
)
SELECT u.id, u.type::text AS "type", u.agent_id AS "agentId", u.revision_id AS "revisionId", u.severity::text AS severity,
  u.confidence, u.summary, u.evidence, u.dedup_key AS "dedupKey", u.status::text AS status, u.occurrences,
  u.first_seen_at AS "firstSeenAt", u.last_seen_at AS "lastSeenAt", u.resolved_at AS "resolvedAt",
  u.deferred_reason AS "deferredReason", u.deferred_detail AS "deferredDetail", u.deferred_at AS "deferredAt", p.prior_status AS "priorStatus"
FROM upserted u LEFT JOIN prior p USING (dedup_key)
ORDER BY u.dedup_key`;

/**
 * Closes the open and deferred findings of the analyzed agents ($1) that this analysis did not
 * find again ($2, its dedup keys), as resolved: their condition stopped holding. Retrain
 * triggers are events, not conditions (they fire once, then wait out their cooldown), so they
 * stay. $3 = now. Answers the ids closed.
 */
export const RESOLVE_CLEARED_FINDINGS = `
UPDATE findings SET status = 'resolved', resolved_at = $3::timestamptz, deferred_reason = NULL, deferred_detail = NULL, deferred_at = NULL
WHERE agent_id = ANY($1::text[]) AND status IN ('open', 'deferred') AND type <> 'retrain_trigger' AND NOT (dedup_key = ANY($2::text[]))
RETURNING id`;

/**
 * Closes open and deferred findings about a revision that is no longer served (neither the
 * agent's stable revision nor the candidate of a rollout in progress) as superseded. $1 = now.
 */
export const SUPERSEDE_UNSERVED_FINDINGS = `
UPDATE findings f SET status = 'superseded', resolved_at = $1::timestamptz, deferred_reason = NULL, deferred_detail = NULL, deferred_at = NULL
WHERE f.status IN ('open', 'deferred') AND f.revision_id IS NOT NULL AND f.revision_id <> ''
  AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = f.agent_id AND a.stable_revision_id = f.revision_id)
  AND NOT EXISTS (SELECT 1 FROM rollouts r WHERE r.agent_id = f.agent_id AND r.candidate_revision_id = f.revision_id AND r.status IN (${ACTIVE_ROLLOUT_SQL}))
RETURNING id`;

/**
 * Closes the open and deferred findings nothing has seen since the analysis window began ($1): no
 * analysis found them again within it (the agent may have had no traffic at all), so their
 * evidence is stale. $2 = the analysed agents' filter (null: every agent). $3 = now.
 */
export const RESOLVE_UNSEEN_FINDINGS = `
UPDATE findings SET status = 'resolved', resolved_at = $3::timestamptz, deferred_reason = NULL, deferred_detail = NULL, deferred_at = NULL
WHERE status IN ('open', 'deferred') AND last_seen_at < $1::timestamptz AND ($2::text[] IS NULL OR agent_id = ANY($2::text[]))
RETURNING id`;
