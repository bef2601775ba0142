import { Processor } from '@nestjs/bullmq';
import { JOBS, QUEUES, type TickJob, type TickResult } from '@metaloop/contracts';
import { RedisService, ResilientWorkerHost } from '@metaloop/messaging';
import { DistinctWarnings } from '@metaloop/observability';
import type { Job } from 'bullmq';
import { TickService } from './tick.service';

/** Runs scheduled ticks; a failed tick is recorded by the service and simply comes again next period. */
@Processor(QUEUES.oracle)
export class TickProcessor extends ResilientWorkerHost {
  private readonly warnings = new DistinctWarnings(this.logger);

  constructor(
    private readonly ticks: TickService,
    redis: RedisService,
  ) {
    super(redis);
  }

  async process(job: Job<TickJob>): Promise<TickResult | undefined> {
    if (job.name !== JOBS.tick) return undefined;
    return this.ticks.tick(job.data.trigger);
  }

  protected override reportWorkerError(error: Error): void {
    this.warnings.warn(`oracle worker: ${error.message}`);
  }
}
