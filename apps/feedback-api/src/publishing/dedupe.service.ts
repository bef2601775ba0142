import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RedisService } from '@metaloop/messaging';
import { FeedbackMetrics } from '../feedback/feedback.metrics';
import type { Env } from '../config/env.schema';

/**
 * Remembers client event ids that JetStream acknowledged, for the dedupe window, in Redis so
 * every replica answers a retry with `duplicate: true`. Ids are remembered only after the ack:
 * a lost Redis write can only make a retry look new — the ingest consumer, unique on
 * event_id, still stores it once — never make an unstored event look stored.
 */
@Injectable()
export class DedupeService {
  private readonly logger = new Logger(DedupeService.name);
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
      const values = await this.redis.client.mget(eventIds.map((id) => this.key(id)));
      return new Set(eventIds.filter((_, i) => values[i] !== null));
    } catch (error) {
      this.failed('lookup', error);
      return new Set();
    }
  }

  async remember(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    try {
      const pipeline = this.redis.client.pipeline();
      for (const id of eventIds) pipeline.set(this.key(id), '1', 'PX', this.windowMs);
      await pipeline.exec();
    } catch (error) {
      this.failed('remember', error);
    }
  }

  private key(eventId: string): string {
    return this.redis.key('dedupe', eventId);
  }

  private failed(operation: 'lookup' | 'remember', error: unknown): void {
    this.metrics.dedupeErrors.inc({ operation });
    this.logger.warn(`dedupe ${operation} failed, duplicates may be answered as new: ${(error as Error).message}`);
  }
}
