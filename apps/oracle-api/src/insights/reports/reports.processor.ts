import { Processor } from '@nestjs/bullmq';
import { JOBS, QUEUES, type GenerateReportsJob } from '@metaloop/contracts';
import { RedisService, ResilientWorkerHost } from '@metaloop/messaging';
import { DistinctWarnings } from '@metaloop/observability';
import type { Job } from 'bullmq';
import { ReportsService } from './reports.service';

/** The reports queue's worker: a failed run is simply made again by the next schedule. */
@Processor(QUEUES.reports)
export class ReportsProcessor extends ResilientWorkerHost {
  private readonly warnings = new DistinctWarnings(this.logger);

  constructor(
    private readonly reports: ReportsService,
    redis: RedisService,
  ) {
    super(redis);
  }

  async process(job: Job<GenerateReportsJob>): Promise<string[] | undefined> {
    if (job.name !== JOBS.generateReports) return undefined;
    const made = await this.reports.generateDue(job.data.periods);
    return made.map((report) => `${report.period}:${report.period_id}:${report.report_id}`);
  }

  protected override reportWorkerError(error: Error): void {
    this.warnings.warn(`reports worker: ${error.message}`);
  }
}
