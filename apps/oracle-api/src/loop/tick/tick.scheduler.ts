import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JOBS, QUEUES, type TickJob } from '@metaloop/contracts';
import { DistinctWarnings } from '@metaloop/observability';
import type { Queue } from 'bullmq';
import type { Env } from '../../config/env.schema';
import { keepScheduled } from '../../common/keep-scheduled';

export const TICK_SCHEDULER_ID = 'oracle-tick';

/** The tick's BullMQ job scheduler: one for all replicas; TICK_INTERVAL_MINUTES=0 removes it. */
@Injectable()
export class TickScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TickScheduler.name);
  private readonly warnings = new DistinctWarnings(this.logger);
  private readonly stop = new AbortController();

  constructor(
    @InjectQueue(QUEUES.oracle) private readonly queue: Queue<TickJob>,
    private readonly config: ConfigService<Env, true>,
  ) {
    queue.on('error', (error) => this.warnings.warn(`oracle queue: ${error.message}`));
  }

  onApplicationBootstrap(): void {
    const minutes = this.config.get('TICK_INTERVAL_MINUTES', { infer: true });
    if (minutes === 0) {
      void this.queue
        .removeJobScheduler(TICK_SCHEDULER_ID)
        .catch((error: Error) => this.warnings.warn(`removing the tick schedule failed: ${error.message}`));
      this.logger.log('scheduled ticks are off (TICK_INTERVAL_MINUTES=0); POST /api/v1/oracle/tick runs one');
      return;
    }
    void keepScheduled(
      this.queue,
      {
        id: TICK_SCHEDULER_ID,
        everyMs: minutes * 60_000,
        job: { name: JOBS.tick, data: { trigger: 'schedule' } },
        describe: `oracle tick scheduled every ${minutes} min`,
      },
      this.logger,
      this.stop.signal,
    );
  }

  onModuleDestroy(): void {
    this.stop.abort();
  }
}
