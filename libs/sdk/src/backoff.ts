export interface BackoffOptions {
  /** The first retry's delay before jitter, in ms. */
  baseMs: number;
  /** No delay grows past this, in ms (a Retry-After may ask for more, and gets it up to `maxRetryAfterMs`). */
  maxMs: number;
}

/** The longest Retry-After honoured: a server asking for an hour is not waited on for an hour. */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * How long to wait before retry number `attempt` (1 for the first retry): exponential
 * (base · 2^(attempt−1), capped at max) with "equal jitter" — half fixed, half random — so many
 * clients that failed together do not retry together, and never sooner than the server's
 * Retry-After.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** `Retry-After` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
