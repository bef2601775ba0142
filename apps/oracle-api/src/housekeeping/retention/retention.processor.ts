import { Processor } from '@nestjs/bullmq';
import { JOBS, QUEUES, type PurgeRawEventsJob } from '@metaloop/contracts';
import { RedisService, ResilientWorkerHost } from '@metaloop/messaging';
import { DistinctWarnings } from '@metaloop/observability';
import type { Job } from 'bullmq';
import { RetentionService, type PurgeResult } from './retention.service';

/** The maintenance queue's worker; a failed purge is simply run again by the next schedule. */
@Processor(QUEUES.maintenance)
export class RetentionProcessor extends ResilientWorkerHost {
  private readonly warnings = new DistinctWarnings(this.logger);

  constructor(
    private readonly retention: RetentionService,
    redis: RedisService,
  ) {
    super(redis);
  }

  async process(job: Job<PurgeRawEventsJob>): Promise<PurgeResult | undefined> {
    if (job.name !== JOBS.purgeRawEvents) return undefined;
    return this.retention.purge(job.data.retentionDays);
  }

  protected override reportWorkerError(error: Error): void {
    this.warnings.warn(`maintenance worker: ${error.message}`);
  }
}
