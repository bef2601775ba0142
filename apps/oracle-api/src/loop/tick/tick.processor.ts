import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { JOBS, QUEUES, type TickJob, type TickResult } from '@metaloop/contracts';
import { RedisService } from '@metaloop/messaging';
import type { Job } from 'bullmq';
import { DistinctWarnings } from '../../common/distinct-warnings';
import { TickService } from './tick.service';

/** Runs scheduled ticks; a failed tick is recorded by the service and simply comes again next period. */
@Processor(QUEUES.oracle)
export class TickProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly warnings = new DistinctWarnings(new Logger(TickProcessor.name));

  constructor(
    private readonly ticks: TickService,
    private readonly redis: RedisService,
  ) {
    super();
  }

  async process(job: Job<TickJob>): Promise<TickResult | undefined> {
    if (job.name !== JOBS.tick) return undefined;
    return this.ticks.tick(job.data.trigger);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.warnings.warn(`oracle worker: ${error.message}`);
  }

  /** Forced when Redis is away: a graceful close would wait for a blocking command forever. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close(this.redis.client.status !== 'ready');
  }
}
