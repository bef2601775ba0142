import type { Logger } from '@nestjs/common';
import { DistinctWarnings } from '@metaloop/observability';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';

export interface Schedule<T> {
  /** One id for all replicas: upserting it again replaces it, so the job runs once per period. */
  id: string;
  everyMs: number;
  job: { name: string; data: T };
  describe: string;
}

/**
 * Registers a BullMQ job scheduler, retrying in the background until Redis takes it, so a
 * Redis that is down at start delays the schedule, not the app. Stops when `signal` aborts.
 */
export async function keepScheduled<T>(
  queue: Queue,
  schedule: Schedule<T>,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const warnings = new DistinctWarnings(logger);
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await queue.upsertJobScheduler(schedule.id, { every: schedule.everyMs }, schedule.job);
      logger.log(schedule.describe);
      return;
    } catch (error) {
      if (signal.aborted) return;
      warnings.warn(`scheduling ${schedule.id} failed, retrying: ${(error as Error).message}`);
      await sleep(Math.min(1_000 * attempt, 30_000), undefined, { signal }).catch(() => undefined);
    }
  }
}
