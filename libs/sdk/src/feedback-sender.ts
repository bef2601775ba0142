import { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff';
import { Deque } from './deque';
import { MetaloopError } from './errors';
import { describeError, unref, type Http } from './http';
import type { Stats } from './stats';
import { uuidv7 } from './uuidv7';
import type { BulkResponse, FeedbackEvent, SystemMetric } from './wire';

export interface FeedbackOptions {
  /** Events per bulk request (1–1,000, default 500). */
  maxBatchSize?: number;
  /** The longest an event waits for a batch to fill before it is sent anyway, in ms (default 100). */
  lingerMs?: number;
  /** Events held at most, waiting or to retry; when full the oldest are dropped (default 10,000). */
  maxBufferSize?: number;
  /** Bulk requests under way at once (default 2). */
  maxConcurrency?: number;
  /** Backoff of retries: base · 2^(n−1) with jitter, capped, never sooner than Retry-After (default 200 ms, 30 s). */
  backoff?: Partial<BackoffOptions>;
  /** One request's deadline, in ms (default 10,000). */
  requestTimeoutMs?: number;
  /** Tries of one system metric before it is given up (default 5). */
  maxMetricAttempts?: number;
  /** System metrics under way at once at most; more are dropped (default 1,000). */
  maxPendingMetrics?: number;
}

const BULK_PATH = '/api/v1/feedback/collect/bulk';
const METRIC_PATH = '/api/v1/feedback/system/metric';

/**
 * Feedback in batches through `collect/bulk`: every event gets its UUIDv7 `event_id` when it is
 * enqueued, so a retry (after a timeout, a cut connection, a 503) sends the same ids and
 * feedback-api answers `duplicate` instead of storing twice. A batch goes when it is full or its
 * first event has waited `lingerMs`; a failed batch goes back to the front of the buffer and waits
 * out its backoff; the buffer is bounded, dropping the oldest.
 */
export class FeedbackSender {
  private readonly buffer = new Deque<FeedbackEvent>();
  private readonly maxBatchSize: number;
  private readonly lingerMs: number;
  private readonly maxBufferSize: number;
  private readonly maxConcurrency: number;
  private readonly backoff: BackoffOptions;
  private readonly requestTimeoutMs: number;
  private readonly maxMetricAttempts: number;
  private readonly maxPendingMetrics: number;
  /** Halved after a 413, back to maxBatchSize after a batch gets through. */
  private batchLimit: number;
  private inFlight = 0;
  private failures = 0;
  private backoffUntil = 0;
  private lingerDue = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = 0;
  private flushing = 0;
  private closed = false;
  private readonly idleWaiters = new Set<() => void>();
  private readonly pendingMetrics = new Set<Promise<void>>();

  constructor(
    private readonly http: Http,
    private readonly stats: Stats,
    private readonly onError: (error: MetaloopError) => void,
    options: FeedbackOptions = {},
  ) {
    this.maxBatchSize = Math.min(1_000, Math.max(1, options.maxBatchSize ?? 500));
    this.lingerMs = Math.max(0, options.lingerMs ?? 100);
    this.maxBufferSize = Math.max(1, options.maxBufferSize ?? 10_000);
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? 2);
    this.backoff = { baseMs: options.backoff?.baseMs ?? 200, maxMs: options.backoff?.maxMs ?? 30_000 };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.maxMetricAttempts = Math.max(1, options.maxMetricAttempts ?? 5);
    this.maxPendingMetrics = Math.max(1, options.maxPendingMetrics ?? 1_000);
    this.batchLimit = this.maxBatchSize;
  }

  /** Buffers the event (its `event_id` assigned when absent) and returns that id; never throws, never blocks. */
  feedback(event: FeedbackEvent): string {
    const withId = event.event_id ? event : { ...event, event_id: uuidv7() };
    this.stats.enqueued++;
    if (this.closed) {
      this.drop('closed', [withId], 'the client is closed');
      return withId.event_id!;
    }
    this.buffer.push(withId);
    this.enforceBound();
    if (this.buffer.length >= this.batchLimit) this.pump();
    else this.schedule(this.lingerMs);
    return withId.event_id!;
  }

  /** Sends one system metric in the background, with retries; never throws. */
  systemMetric(metric: SystemMetric): void {
    if (this.closed || this.pendingMetrics.size >= this.maxPendingMetrics) {
      this.stats.metricsDropped++;
      this.onError(
        new MetaloopError('metric', this.closed ? 'the client is closed' : 'too many system metrics under way'),
      );
      return;
    }
    const sending = this.sendMetric(metric).finally(() => {
      this.pendingMetrics.delete(sending);
      this.settle();
    });
    this.pendingMetrics.add(sending);
  }

  /**
   * Sends everything buffered now (no linger; backoff still honoured) and resolves once nothing
   * is left or in flight — true — or after `timeoutMs` — false.
   */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    this.flushing++;
    try {
      this.pump();
      if (this.idle()) return true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let resolveIdle: (() => void) | undefined;
      const idle = new Promise<boolean>((resolve) => {
        resolveIdle = () => resolve(true);
        this.idleWaiters.add(resolveIdle);
      });
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        return await Promise.race([idle, timeout]);
      } finally {
        clearTimeout(timer);
        this.idleWaiters.delete(resolveIdle!);
      }
    } finally {
      this.flushing--;
    }
  }

  /** Flushes for up to `timeoutMs`, then drops (and counts) what is left; later events are dropped too. */
  async close(timeoutMs = 10_000): Promise<boolean> {
    this.closed = true;
    const flushed = await this.flush(timeoutMs);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.buffer.take(this.buffer.length);
    this.stats.buffered = 0;
    if (left.length > 0) this.drop('closed', left, `${left.length} event(s) still buffered at close`);
    return flushed;
  }

  private idle(): boolean {
    return this.buffer.length === 0 && this.inFlight === 0 && this.pendingMetrics.size === 0;
  }

  private settle(): void {
    if (!this.idle()) return;
    for (const resolve of [...this.idleWaiters]) resolve();
  }

  /** Starts as many batches as allowed now; otherwise arms the timer for when one may go. */
  private pump(): void {
    while (this.inFlight < this.maxConcurrency && this.buffer.length > 0) {
      const now = Date.now();
      if (now < this.backoffUntil) return this.schedule(this.backoffUntil - now);
      if (this.buffer.length < this.batchLimit && !this.lingerDue && this.flushing === 0)
        return this.schedule(this.lingerMs);
      void this.send(this.buffer.take(this.batchLimit));
    }
    if (this.buffer.length === 0) this.lingerDue = false;
    this.stats.buffered = this.buffer.length;
  }

  /** One timer, for the earliest moment something may be sent. */
  private schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lingerDue = true;
      this.pump();
    }, delayMs);
    unref(this.timer);
  }

  private async send(batch: FeedbackEvent[]): Promise<void> {
    this.inFlight++;
    this.stats.inFlight += batch.length;
    this.stats.batches++;
    this.stats.buffered = this.buffer.length;
    try {
      const response = await this.http.request('POST', BULK_PATH, this.requestTimeoutMs, { body: { events: batch } });
      const text = await response.text();
      if (response.status === 202 || response.status === 200) {
        this.delivered(batch, JSON.parse(text) as BulkResponse);
      } else if (response.status === 429 || response.status >= 500) {
        this.retry(batch, parseRetryAfter(response.headers.get('retry-after')));
      } else if (response.status === 413 && batch.length > 1) {
        this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
        this.requeue(batch);
      } else {
        this.stats.rejected += batch.length;
        this.drop('rejected', batch, `feedback-api refused ${batch.length} event(s): HTTP ${response.status} ${text}`, {
          status: response.status,
        });
      }
    } catch (error) {
      // No answer (refused, reset, cut mid-request, timed out): the events may or may not have
      // been stored, so they go again with the same event_ids.
      this.retry(batch, undefined, error);
    } finally {
      this.inFlight--;
      this.stats.inFlight -= batch.length;
      this.pump();
      this.settle();
    }
  }

  private delivered(batch: FeedbackEvent[], answer: BulkResponse): void {
    this.failures = 0;
    this.batchLimit = this.maxBatchSize;
    for (const result of answer.results) {
      if (result.status === 'rejected') {
        this.stats.rejected++;
        const event = batch[result.index];
        const where = result.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        this.drop('rejected', event ? [event] : [], `event rejected: ${where}`, { status: 202, errors: result.errors });
      } else {
        this.stats.sent++;
        if (result.status === 'duplicate') this.stats.duplicates++;
      }
    }
  }

  private retry(batch: FeedbackEvent[], retryAfterMs?: number, _cause?: unknown): void {
    this.failures++;
    this.stats.retried += batch.length;
    this.backoffUntil = Date.now() + backoffDelay(this.failures, this.backoff, retryAfterMs);
    this.requeue(batch);
  }

  private requeue(batch: FeedbackEvent[]): void {
    this.buffer.unshiftAll(batch);
    this.enforceBound();
  }

  /** Never more than maxBufferSize events held: the oldest go first. */
  private enforceBound(): void {
    const excess = this.buffer.length - this.maxBufferSize;
    if (excess > 0) {
      this.stats.overflow += excess;
      this.drop('overflow', this.buffer.take(excess), `buffer full (${this.maxBufferSize}): ${excess} oldest dropped`);
    }
    this.stats.buffered = this.buffer.length;
  }

  private drop(
    kind: 'rejected' | 'overflow' | 'closed',
    events: FeedbackEvent[],
    message: string,
    details: { status?: number; errors?: MetaloopError['errors'] } = {},
  ): void {
    this.stats.dropped += events.length;
    if (kind === 'closed') this.stats.closed += events.length;
    this.onError(new MetaloopError(kind, message, { ...details, events }));
  }

  private async sendMetric(metric: SystemMetric): Promise<void> {
    let lastError = '';
    for (let attempt = 1; attempt <= this.maxMetricAttempts; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const response = await this.http.request('POST', METRIC_PATH, this.requestTimeoutMs, { body: metric });
        const text = await response.text();
        if (response.status === 202 || response.status === 200) {
          this.stats.metricsSent++;
          return;
        }
        lastError = `HTTP ${response.status} ${text}`;
        if (response.status !== 429 && response.status < 500) break;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        lastError = describeError(error);
      }
      if (attempt < this.maxMetricAttempts) {
        await new Promise((resolve) => unref(setTimeout(resolve, backoffDelay(attempt, this.backoff, retryAfterMs))));
      }
    }
    this.stats.metricsDropped++;
    this.onError(
      new MetaloopError('metric', `system metric ${metric.source}/${metric.name} not delivered: ${lastError}`),
    );
  }
}
