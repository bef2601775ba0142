import { setTimeout as sleep } from 'node:timers/promises';

/** How one external call is bounded: per-attempt timeout, retries after the first attempt, exponential backoff. */
export interface RetryPolicy {
  timeoutMs: number;
  retries: number;
  /** Wait before the first retry; doubles on each further one. */
  backoffMs: number;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  /** Built for every attempt, so a signature can carry a fresh timestamp. */
  headers?: () => Record<string, string>;
  /** Answers that count as success although not 2xx (e.g. "already loaded"). */
  accept?: (status: number, text: string) => boolean;
}

export interface HttpAnswer {
  status: number;
  text: string;
  attempts: number;
}

/** A call that failed for good: a non-retryable answer, or every attempt used up. */
export class HttpCallError extends Error {
  override readonly name = 'HttpCallError';

  constructor(
    message: string,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

const retryableStatus = (status: number) => status >= 500 || status === 429;

/** One HTTP call with timeout and retry: network errors, timeouts, 5xx and 429 are retried; other 4xx are not. */
export async function httpWithRetry(call: HttpCall, policy: RetryPolicy): Promise<HttpAnswer> {
  const what = `${call.method} ${call.url}`;
  let lastFailure = '';
  let lastStatus: number | undefined;
  for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
    if (attempt > 1) await sleep(policy.backoffMs * 2 ** (attempt - 2));
    try {
      const response = await fetch(call.url, {
        method: call.method,
        headers: { ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers?.() },
        body: call.body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      const text = await response.text();
      if (response.ok || call.accept?.(response.status, text))
        return { status: response.status, text, attempts: attempt };
      lastStatus = response.status;
      lastFailure = `${response.status} ${text.slice(0, 200)}`.trim();
      if (!retryableStatus(response.status))
        throw new HttpCallError(`${what} answered ${lastFailure}`, attempt, response.status);
    } catch (error) {
      if (error instanceof HttpCallError) throw error;
      lastStatus = undefined;
      lastFailure =
        isError(error) && error.name === 'TimeoutError' ? `timed out after ${policy.timeoutMs} ms` : describe(error);
    }
  }
  const attempts = policy.retries + 1;
  throw new HttpCallError(
    `${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastFailure}`,
    attempts,
    lastStatus,
  );
}

// fetch's errors may come from another realm (undici, test sandboxes), so `instanceof Error` is not enough.
const isError = (value: unknown): value is Error =>
  typeof value === 'object' && value !== null && 'message' in value && 'name' in value;

function describe(error: unknown): string {
  if (!isError(error)) return String(error);
  return isError(error.cause) ? `${error.message}: ${error.cause.message}` : error.message;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { timeoutMs: 5_000, retries: 3, backoffMs: 250 };

export function retryPolicy(settings: Partial<RetryPolicy>): RetryPolicy {
  return {
    timeoutMs: settings.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs,
    retries: settings.retries ?? DEFAULT_RETRY_POLICY.retries,
    backoffMs: settings.backoffMs ?? DEFAULT_RETRY_POLICY.backoffMs,
  };
}
