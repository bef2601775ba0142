import { uuidv7 } from '@metaloop/core';
import type { OracleHarness } from '../../../__tests__/oracle-harness';

export interface StoredFeedback {
  rating?: number;
  helpful?: boolean;
  complaint?: string;
  correction?: string;
  tags?: string[];
  framework?: string;
  /** Milliseconds before now (default 1 minute). */
  ageMs?: number;
}

/** Feedback events as the ingest consumer stores them (columns and the event as payload), many per statement. */
export async function storeFeedback(h: OracleHarness, agentId: string, events: StoredFeedback[]): Promise<void> {
  const now = Date.now();
  const rows = events.map((e) => {
    const explicit = {
      ...(e.rating !== undefined && { rating: e.rating }),
      ...(e.helpful !== undefined && { helpful: e.helpful }),
      ...(e.complaint !== undefined && { complaint: e.complaint }),
      ...(e.correction !== undefined && { correction: e.correction }),
    };
    const occurredAt = new Date(now - (e.ageMs ?? 60_000)).toISOString();
    const eventId = uuidv7();
    const payload = {
      event_id: eventId,
      agent_id: agentId,
      session_id: 's1',
      timestamp: occurredAt,
      ...(Object.keys(explicit).length > 0 && { explicit }),
      ...(e.tags && { tags: e.tags }),
      ...(e.framework && { context: { framework: e.framework } }),
    };
    return [eventId, occurredAt, e.rating ?? null, e.helpful ?? null, e.complaint ?? null, e.tags ?? [], payload];
  });
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await h.query(
      `INSERT INTO feedback_events (event_id, agent_id, session_id, occurred_at, rating, helpful, complaint, tags, payload)
       SELECT x.event_id, $1, 's1', x.occurred_at, x.rating, x.helpful, x.complaint,
              ARRAY(SELECT jsonb_array_elements_text(x.tags)), x.payload
         FROM jsonb_to_recordset($2::jsonb) AS x(event_id text, occurred_at timestamptz, rating float8, helpful boolean,
              complaint text, tags jsonb, payload jsonb)`,
      [
        agentId,
        JSON.stringify(
          chunk.map(([event_id, occurred_at, rating, helpful, complaint, tags, payload]) => ({
            event_id,
            occurred_at,
            rating,
            helpful,
            complaint,
            tags,
            payload,
          })),
        ),
      ],
    );
  }
}

export const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);
