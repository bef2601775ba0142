import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JOBS, QUEUES, type GenerateReportsJob } from '@metaloop/contracts';
import { DistinctWarnings } from '@metaloop/observability';
import type { Queue } from 'bullmq';
import type { Env } from '../../config/env.schema';
import { keepScheduled } from '../../common/keep-scheduled';

/** One scheduler id for all replicas: the reports job runs once per period of the schedule. */
export const REPORTS_SCHEDULER_ID = 'reports-generate';

/**
 * Registers the reports job in BullMQ (REPORTS_EVERY_MINUTES; 0 = only on demand). Each run makes
 * the fleet-wide report of the last complete week and month unless it exists, so a short period
 * only costs a lookup.
 */
@Injectable()
export class ReportsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReportsScheduler.name);
  private readonly warnings = new DistinctWarnings(this.logger);
  private readonly stop = new AbortController();

  constructor(
    @InjectQueue(QUEUES.reports) private readonly queue: Queue<GenerateReportsJob>,
    private readonly config: ConfigService<Env, true>,
  ) {
    queue.on('error', (error) => this.warnings.warn(`reports queue: ${error.message}`));
  }

  onApplicationBootstrap(): void {
    const minutes = this.config.get('REPORTS_EVERY_MINUTES', { infer: true });
    if (minutes === 0) {
      void this.queue.removeJobScheduler(REPORTS_SCHEDULER_ID).catch(() => undefined);
      return;
    }
    const data: GenerateReportsJob = { periods: this.config.get('REPORTS_PERIODS', { infer: true }) };
    void keepScheduled(
      this.queue,
      {
        id: REPORTS_SCHEDULER_ID,
        everyMs: minutes * 60_000,
        job: { name: JOBS.generateReports, data },
        describe: `reports (${data.periods.join(', ')}) looked for every ${minutes} min`,
      },
      this.logger,
      this.stop.signal,
    );
  }

  onModuleDestroy(): void {
    this.stop.abort();
  }
}
