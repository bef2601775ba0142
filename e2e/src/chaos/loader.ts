import { setTimeout as sleep } from 'node:timers/promises';

/** What became of one client event id. */
export interface EventRecord {
  /** The phase it was first posted in. */
  phase: string;
  /** Answered 202 (accepted, or duplicate of an earlier attempt that JetStream had taken). */
  accepted: boolean;
  attempts: number;
}

const BULK_SIZE = 20;
/** Every third request of a loop is a bulk of BULK_SIZE events, the others single events. */
const BULK_EVERY = 3;
/** A client's retries of a request that was not answered 202 (same event ids), then it gives up. */
const MAX_ATTEMPTS = 3;
const AGENTS = ['chaos_a', 'chaos_b', 'chaos_c'];

/**
 * Posts feedback with client event ids from `workers` loops until stopped, as agents would:
 * single events on `collect` and bulks on `collect/bulk`, each retried with the same ids when it
 * was not answered 202. Records every event id, the phase it was first posted in and whether a
 * 202 covered it; counts answers by status (0: no answer — refused, reset or timed out).
 */
export function startLoader(feedbackUrl: () => string, workers: number, firstPhase: string) {
  const events = new Map<string, EventRecord>();
  const statuses = new Map<string, Map<number, number>>();
  let phase = firstPhase;
  const began = new Map<string, number>([[firstPhase, Date.now()]]);
  let next = 0;
  let acceptedCount = 0;
  let stopped = false;
  let stoppedAt = 0;

  const slowest = new Map<string, number>();
  const answer = (status: number, ms: number) => {
    slowest.set(phase, Math.max(slowest.get(phase) ?? 0, ms));
    const byStatus = statuses.get(phase) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    statuses.set(phase, byStatus);
  };
  const accept = (eventId: string) => {
    const record = events.get(eventId)!;
    if (!record.accepted) acceptedCount++;
    record.accepted = true;
  };

  const newEvent = () => {
    const n = next++;
    const eventId = `chaos-${n}`;
    events.set(eventId, { phase, accepted: false, attempts: 0 });
    return {
      event_id: eventId,
      agent_id: AGENTS[n % AGENTS.length]!,
      session_id: `s${n % 64}`,
      implicit: { success: n % 7 !== 0, response_time_ms: 10 + (n % 90) },
      ...(n % 5 === 0 && { explicit: { rating: 1 + (n % 5), helpful: n % 2 === 0 } }),
    };
  };

  /** One request; true when it was answered 202 (its events are then accepted). */
  const post = async (bulk: boolean, body: Array<ReturnType<typeof newEvent>>): Promise<boolean> => {
    for (const event of body) events.get(event.event_id)!.attempts++;
    const sent = Date.now();
    const path = bulk ? 'collect/bulk' : 'collect';
    const response = await fetch(`${feedbackUrl()}/api/v1/feedback/${path}`, {
      method: 'POST',
      body: JSON.stringify(bulk ? { events: body } : body[0]),
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    answer(response?.status ?? 0, Date.now() - sent);
    if (response?.status !== 202) {
      await response?.body?.cancel();
      return false;
    }
    // A 202 whose body did not arrive whole is no 202 to the client: it retries the same ids.
    const answered = (await response.json().catch(() => undefined)) as
      { event_id: string; results?: undefined } | { results: Array<{ status: string; event_id?: string }> } | undefined;
    if (answered === undefined) return false;
    if (!answered.results) {
      accept(answered.event_id);
      return true;
    }
    for (const item of answered.results) {
      if (item.status === 'rejected') throw new Error(`the loader's event was rejected: ${JSON.stringify(item)}`);
      accept(item.event_id!);
    }
    return true;
  };

  const loops = Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let request = worker; !stopped; request++) {
        const bulk = request % BULK_EVERY === 0;
        const body = Array.from({ length: bulk ? BULK_SIZE : 1 }, newEvent);
        for (let attempt = 1; attempt <= MAX_ATTEMPTS && !(await post(bulk, body)); attempt++) {
          await sleep(100 * attempt);
        }
      }
    }),
  );
  // Awaited by stop(); until then a failed loop must not count as an unhandled rejection.
  loops.catch(() => undefined);

  return {
    events,
    statuses,
    /** When each phase began (ms since the epoch). */
    began,
    /** The longest wait for an answer (or for giving up on one) per phase, in ms. */
    slowest,
    stoppedAt: () => stoppedAt,
    /** Events answered 202 so far. */
    accepted: () => acceptedCount,
    /** Events first posted from now on count towards this phase. */
    enter: (name: string) => {
      phase = name;
      began.set(name, Date.now());
    },
    stop: async () => {
      stopped = true;
      stoppedAt = Date.now();
      await loops;
    },
  };
}

export type Loader = ReturnType<typeof startLoader>;
