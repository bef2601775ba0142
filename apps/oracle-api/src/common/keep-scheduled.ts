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

/** How often a registered schedule is looked for in Redis, at most: a lost one costs at most one period. */
const MAX_CHECK_MS = 60_000;

/**
 * Keeps a BullMQ job scheduler registered while the app runs. It is registered in the background,
 * retrying until Redis takes it, so a Redis that is down at start delays the schedule, not the app.
 * Then it is looked for whenever the queue's connection is ready again (Redis restarted: without
 * persistence it comes back empty) and every `checkEveryMs` (no longer than the period, nor a
 * minute), and registered again when it is gone. Stops when `signal` aborts.
 */
export async function keepScheduled<T>(
  queue: Queue,
  schedule: Schedule<T>,
  logger: Logger,
  signal: AbortSignal,
  checkEveryMs = Math.min(schedule.everyMs, MAX_CHECK_MS),
): Promise<void> {
  const warnings = new DistinctWarnings(logger);
  const register = () => queue.upsertJobScheduler(schedule.id, { every: schedule.everyMs }, schedule.job);

  // The first registration always upserts: the period or the job's data may have changed in config.
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await register();
      logger.log(schedule.describe);
      break;
    } catch (error) {
      if (signal.aborted) return;
      warnings.warn(`scheduling ${schedule.id} failed, retrying: ${(error as Error).message}`);
      await sleep(Math.min(1_000 * attempt, 30_000), undefined, { signal }).catch(() => undefined);
    }
  }
  if (signal.aborted) return;

  const client = await queue.getBackend().client;
  let reconnected = new AbortController();
  const onReady = () => reconnected.abort();
  client.on('ready', onReady);
  try {
    while (!signal.aborted) {
      await sleep(checkEveryMs, undefined, { signal: AbortSignal.any([signal, reconnected.signal]) }).catch(
        () => undefined,
      );
      if (reconnected.signal.aborted) reconnected = new AbortController();
      if (signal.aborted) return;
      try {
        if (await queue.getJobScheduler(schedule.id)) continue;
        await register();
        logger.warn(`${schedule.id} was gone from Redis (restarted empty or flushed): scheduled again`);
      } catch (error) {
        if (!signal.aborted) warnings.warn(`checking the schedule ${schedule.id} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    client.off('ready', onReady);
  }
}
