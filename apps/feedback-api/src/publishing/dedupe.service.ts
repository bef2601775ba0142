import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RedisService } from '@metaloop/messaging';
import { DistinctWarnings } from '@metaloop/observability';
import { setTimeout as sleep } from 'node:timers/promises';
import { FeedbackMetrics } from '../feedback/feedback.metrics';
import type { Env } from '../config/env.schema';

/**
 * The longest a duplicate check or a remember waits for Redis. The app's Redis client queues
 * commands while it reconnects (maxRetriesPerRequest null), so without a bound every request
 * with a client event id would wait as long as Redis is away (the chaos suite saw 9 s answers
 * for an 8 s outage); with it, feedback is still taken, and stored once by the consumer.
 */
export const DEDUPE_REDIS_WAIT_MS = 250;

/**
 * Remembers client event ids that JetStream acknowledged, for the dedupe window, in Redis so
 * every replica answers a retry with `duplicate: true`. Ids are remembered only after the ack:
 * a lost Redis write can only make a retry look new — the ingest consumer, unique on
 * event_id, still stores it once — never make an unstored event look stored. So Redis is
 * never waited for: while it is not connected it is not asked, and an answer that takes longer
 * than DEDUPE_REDIS_WAIT_MS counts as a failure.
 */
@Injectable()
export class DedupeService {
  private readonly logger = new Logger(DedupeService.name);
  /** Once per kind of failure, not once per request, while Redis is away. */
  private readonly warnings = new DistinctWarnings(this.logger);
  private readonly windowMs: number;

  constructor(
    private readonly redis: RedisService,
    private readonly metrics: FeedbackMetrics,
    config: ConfigService<Env, true>,
  ) {
    this.windowMs = config.get('DEDUPE_WINDOW_SECONDS', { infer: true }) * 1000;
  }

  /** The ids among these that were accepted before; when Redis fails, none (and a metric says so). */
  async acceptedBefore(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    try {
      const values = await this.bounded(() => this.redis.client.mget(eventIds.map((id) => this.key(id))));
      this.warnings.reset();
      return new Set(eventIds.filter((_, i) => values[i] !== null));
    } catch (error) {
      this.failed('lookup', error);
      return new Set();
    }
  }

  async remember(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    try {
      await this.bounded(() => {
        const pipeline = this.redis.client.pipeline();
        for (const id of eventIds) pipeline.set(this.key(id), '1', 'PX', this.windowMs);
        return pipeline.exec();
      });
    } catch (error) {
      this.failed('remember', error);
    }
  }

  /** The command, unless Redis is not connected or does not answer in time (then it throws). */
  private async bounded<T>(command: () => Promise<T>): Promise<T> {
    const status = this.redis.client.status;
    if (status !== 'ready') throw new Error(`redis connection is ${status}`);
    const timeout = new AbortController();
    try {
      return await Promise.race([
        command(),
        sleep(DEDUPE_REDIS_WAIT_MS, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`redis did not answer within ${DEDUPE_REDIS_WAIT_MS} ms`);
        }),
      ]);
    } finally {
      timeout.abort();
    }
  }

  private key(eventId: string): string {
    return this.redis.key('dedupe', eventId);
  }

  private failed(operation: 'lookup' | 'remember', error: unknown): void {
    this.metrics.dedupeErrors.inc({ operation });
    this.warnings.warn(`dedupe ${operation} failed, duplicates may be answered as new: ${(error as Error).message}`);
  }
}
