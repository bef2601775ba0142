import { Processor } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JOBS, QUEUES, type MonitorRolloutJob } from '@metaloop/contracts';
import { RedisService, ResilientWorkerHost } from '@metaloop/messaging';
import { inSpan } from '@metaloop/observability/tracing';
import type { Job } from 'bullmq';
import type { Env } from '../config/env.schema';
import { RolloutMonitor } from './rollout-monitor.service';

/** The rollouts queue's worker: each job is one look, queued by the rollout's job scheduler (a failed look is simply the next one's to do). */
@Processor(QUEUES.rollouts)
export class RolloutMonitorProcessor extends ResilientWorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly monitor: RolloutMonitor,
    private readonly config: ConfigService<Env, true>,
    redis: RedisService,
  ) {
    super(redis);
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.get('MONITOR_CONCURRENCY', { infer: true });
  }

  async process(job: Job<MonitorRolloutJob>): Promise<string | undefined> {
    if (job.name !== JOBS.monitorRollout) return undefined;
    // A trace of its own per look: its decision rows name it.
    return inSpan('rollout look', { attributes: { 'metaloop.rollout_id': job.data.rollout_id } }, () =>
      this.monitor.look(job.data.rollout_id),
    );
  }
}
