/** Counters of one client since it was made; `client.stats()` returns a copy. */
export interface Stats {
  /** Feedback events handed to `feedback()`. */
  enqueued: number;
  /** Events feedback-api answered accepted or duplicate (an event is counted once, however many tries it took). */
  sent: number;
  /** Of `sent`, those feedback-api had already (a retry of a request whose answer was lost). */
  duplicates: number;
  /** Events dropped for any reason: `rejected + overflow + closed`. */
  dropped: number;
  /** Events feedback-api refused (4xx, or a bulk item rejected): not retried. */
  rejected: number;
  /** Events dropped, oldest first, because the buffer was full. */
  overflow: number;
  /** Events sent after close(), or still buffered when close() gave up. */
  closed: number;
  /** Event sends retried (one per event per retry). */
  retried: number;
  /** Bulk requests made. */
  batches: number;
  /** Events waiting to be sent now. */
  buffered: number;
  /** Events in requests under way now. */
  inFlight: number;
  /** System metrics feedback-api accepted, and those given up. */
  metricsSent: number;
  metricsDropped: number;
  /** `config()` calls. */
  configCalls: number;
  /** Answered from memory without asking metaloop (fresh within maxAgeMs). */
  configCacheHits: number;
  /** 200 answers (a new or changed config). */
  configFetched: number;
  /** 304 answers: the cached config was still current. */
  notModified: number;
  /** Calls answered with the last known config (or the fallback) because metaloop could not confirm it. */
  staleServes: number;
  /** Calls where metaloop failed or was too slow (each one is also a stale serve when there was something to serve). */
  configErrors: number;
  /** Of those, the calls that ran out of the timeout budget. */
  configTimeouts: number;
}

export function emptyStats(): Stats {
  return {
    enqueued: 0,
    sent: 0,
    duplicates: 0,
    dropped: 0,
    rejected: 0,
    overflow: 0,
    closed: 0,
    retried: 0,
    batches: 0,
    buffered: 0,
    inFlight: 0,
    metricsSent: 0,
    metricsDropped: 0,
    configCalls: 0,
    configCacheHits: 0,
    configFetched: 0,
    notModified: 0,
    staleServes: 0,
    configErrors: 0,
    configTimeouts: 0,
  };
}
