import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { JOBS, QUEUES, type PurgeRawEventsJob } from '@metaloop/contracts';
import { RedisService } from '@metaloop/messaging';
import type { Job } from 'bullmq';
import { DistinctWarnings } from '../../common/distinct-warnings';
import { RetentionService, type PurgeResult } from './retention.service';

/** The maintenance queue's worker; a failed purge is simply run again by the next schedule. */
@Processor(QUEUES.maintenance)
export class RetentionProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly warnings = new DistinctWarnings(new Logger(RetentionProcessor.name));

  constructor(
    private readonly retention: RetentionService,
    private readonly redis: RedisService,
  ) {
    super();
  }

  async process(job: Job<PurgeRawEventsJob>): Promise<PurgeResult | undefined> {
    if (job.name !== JOBS.purgeRawEvents) return undefined;
    return this.retention.purge(job.data.retentionDays);
  }

  /** Without a listener BullMQ prints every reconnect failure to stderr. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnings.warn(`maintenance worker: ${error.message}`);
  }

  /**
   * Closed here, before @nestjs/bullmq closes it at shutdown: its graceful close waits for a
   * blocking Redis command that never returns while Redis is away, so then it is forced.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close(this.redis.client.status !== 'ready');
  }
}
