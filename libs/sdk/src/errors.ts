import type { FeedbackEvent, FieldError } from './wire';

export type MetaloopErrorKind =
  /** feedback-api refused events (4xx, or a bulk item `rejected`): dropped, never retried. */
  | 'rejected'
  /** The buffer was full: the oldest events were dropped to make room. */
  | 'overflow'
  /** Events sent after close(), or still buffered when close() gave up: dropped. */
  | 'closed'
  /** A system metric that could not be delivered (refused, retries exhausted, too many pending). */
  | 'metric'
  /** A config fetch failed (metaloop unreachable, too slow, or an error status). */
  | 'config';

/** What the SDK reports to `onError` (and throws from `config()` with `throwOnError`). */
export class MetaloopError extends Error {
  readonly kind: MetaloopErrorKind;
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
  /** The events concerned (rejected, overflow, closed). */
  readonly events?: FeedbackEvent[];
  /** The contract's field errors of a rejected event. */
  readonly errors?: FieldError[];

  constructor(
    kind: MetaloopErrorKind,
    message: string,
    details: { status?: number; events?: FeedbackEvent[]; errors?: FieldError[]; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MetaloopError';
    this.kind = kind;
    this.status = details.status;
    this.events = details.events;
    this.errors = details.errors;
  }
}
