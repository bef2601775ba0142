import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JOBS, QUEUES, type MonitorRolloutJob } from '@metaloop/contracts';
import type { Queue } from 'bullmq';

const PREFIX = 'monitor-';

/**
 * One BullMQ job scheduler per rollout that needs looking at: it queues a look every analysis
 * interval, for whichever replica is free. The schedules live in Redis; the rollouts in Postgres
 * are the truth the reconciler rebuilds them from.
 */
@Injectable()
export class MonitorSchedules {
  constructor(@InjectQueue(QUEUES.rollouts) private readonly queue: Queue<MonitorRolloutJob>) {}

  async ensure(rolloutId: string, everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(
      `${PREFIX}${rolloutId}`,
      { every: everyMs },
      {
        name: JOBS.monitorRollout,
        data: { rollout_id: rolloutId },
        opts: { removeOnComplete: true, removeOnFail: 100 },
      },
    );
  }

  async remove(rolloutId: string): Promise<void> {
    await this.queue.removeJobScheduler(`${PREFIX}${rolloutId}`);
  }

  /** The interval of every rollout's schedule, by rollout id. */
  async list(): Promise<Map<string, number | undefined>> {
    const schedules = await this.queue.getJobSchedulers(0, -1);
    return new Map(schedules.filter((s) => s.key.startsWith(PREFIX)).map((s) => [s.key.slice(PREFIX.length), s.every]));
  }
}
