import { Logger } from '@nestjs/common';
import { bullmqConnection } from '@metaloop/messaging';
import { deleteRedisKeys, eventually, isolationId, testEnv } from '@metaloop/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { keepScheduled } from './keep-scheduled';

const HOUR_MS = 3_600_000;

/** Redis restarted without persistence: every key gone and every connection dropped. */
async function restartEmpty(prefix: string, queue: Queue): Promise<void> {
  await deleteRedisKeys(prefix);
  // BullMQ's client is ioredis underneath; its typed interface has no CLIENT command.
  const id = await ((await queue.getBackend().client) as unknown as Redis).client('ID');
  const admin = new Redis(testEnv.TEST_REDIS_URL);
  try {
    await admin.client('KILL', 'ID', String(id));
  } finally {
    await admin.quit();
  }
}

describe('keepScheduled (real Redis)', () => {
  const prefix = isolationId('keep_scheduled');
  const queue = new Queue('scheduled', {
    connection: bullmqConnection(testEnv.TEST_REDIS_URL, 'keep-scheduled-spec'),
    prefix,
  });
  const logger = new Logger('keep-scheduled-spec');
  const stop = new AbortController();
  const schedule = (id: string) => ({ id, everyMs: HOUR_MS, job: { name: 'job', data: { n: 1 } }, describe: id });

  afterAll(async () => {
    stop.abort();
    await queue.close();
    await deleteRedisKeys(prefix);
  });

  it('schedules again when Redis comes back empty, as soon as the connection is ready', async () => {
    const kept = keepScheduled(queue, schedule('on-reconnect'), logger, stop.signal, HOUR_MS);
    await eventually(async () => expect(await queue.getJobScheduler('on-reconnect')).toBeDefined());
    await restartEmpty(prefix, queue);
    await eventually(async () =>
      expect(await queue.getJobScheduler('on-reconnect')).toMatchObject({ every: HOUR_MS, next: expect.any(Number) }),
    );
    void kept;
  });

  it('schedules again when the schedule is gone without a reconnect, at the next check', async () => {
    const kept = keepScheduled(queue, schedule('on-check'), logger, stop.signal, 100);
    await eventually(async () => expect(await queue.getJobScheduler('on-check')).toBeDefined());
    await queue.removeJobScheduler('on-check');
    await eventually(async () =>
      expect(await queue.getJobScheduler('on-check')).toMatchObject({ every: HOUR_MS, next: expect.any(Number) }),
    );
    void kept;
  });
});
