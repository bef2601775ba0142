import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JOBS, QUEUES, type PurgeRawEventsJob } from '@metaloop/contracts';
import { DistinctWarnings } from '@metaloop/observability';
import type { Queue } from 'bullmq';
import type { Env } from '../../config/env.schema';
import { keepScheduled } from '../../common/keep-scheduled';

/** One scheduler id for all replicas: upserting it again replaces it, so the purge runs once per period. */
export const PURGE_SCHEDULER_ID = 'retention-purge';

/**
 * Registers the purge schedule in BullMQ. In the background, so a Redis that is down at
 * start delays the schedule, not the app.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionScheduler.name);
  private readonly warnings = new DistinctWarnings(this.logger);
  private readonly stop = new AbortController();

  constructor(
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue<PurgeRawEventsJob>,
    private readonly config: ConfigService<Env, true>,
  ) {
    // Without a listener BullMQ prints every reconnect failure to stderr.
    queue.on('error', (error) => this.warnings.warn(`maintenance queue: ${error.message}`));
  }

  onApplicationBootstrap(): void {
    void this.schedule();
  }

  onModuleDestroy(): void {
    this.stop.abort();
  }

  private async schedule(): Promise<void> {
    const every = this.config.get('RETENTION_PURGE_EVERY_MINUTES', { infer: true }) * 60_000;
    const data: PurgeRawEventsJob = { retentionDays: this.config.get('RETENTION_DAYS', { infer: true }) };
    await keepScheduled(
      this.queue,
      {
        id: PURGE_SCHEDULER_ID,
        everyMs: every,
        job: { name: JOBS.purgeRawEvents, data },
        describe: `raw-event purge scheduled every ${every / 60_000} min (retention ${data.retentionDays} days)`,
      },
      this.logger,
      this.stop.signal,
    );
  }
}
