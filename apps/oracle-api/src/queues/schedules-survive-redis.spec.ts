import { getQueueToken } from '@nestjs/bullmq';
import { QUEUES } from '@metaloop/contracts';
import { deleteRedisKeys, eventually, testEnv } from '@metaloop/testing';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { oracleHarness, type OracleHarness } from '../__tests__/oracle-harness';
import { PURGE_SCHEDULER_ID } from '../housekeeping/retention/retention.scheduler';
import { TICK_SCHEDULER_ID } from '../loop/tick/tick.scheduler';

describe('job schedulers after Redis restarts empty (oracle-api)', () => {
  let h: OracleHarness;
  let tickQueue: Queue;
  let maintenanceQueue: Queue;

  beforeAll(async () => {
    h = await oracleHarness('schedules_survive', { TICK_INTERVAL_MINUTES: '60', RETENTION_PURGE_EVERY_MINUTES: '60' });
    tickQueue = h.apps[0]!.get<Queue>(getQueueToken(QUEUES.oracle));
    maintenanceQueue = h.apps[0]!.get<Queue>(getQueueToken(QUEUES.maintenance));
  });
  afterAll(() => h?.dispose());

  const scheduled = async () => [
    await tickQueue.getJobScheduler(TICK_SCHEDULER_ID),
    await maintenanceQueue.getJobScheduler(PURGE_SCHEDULER_ID),
  ];

  it('re-creates the tick and retention schedules once the queues reconnect', async () => {
    await eventually(async () => expect(await scheduled()).toEqual([expect.anything(), expect.anything()]));

    // What a Redis restart without persistence does: every key of the app gone, its connections dropped.
    await deleteRedisKeys(h.prefix);
    expect(await scheduled()).toEqual([undefined, undefined]);
    const admin = new Redis(testEnv.TEST_REDIS_URL);
    try {
      for (const queue of [tickQueue, maintenanceQueue]) {
        // BullMQ's client is ioredis underneath; its typed interface has no CLIENT command.
        const id = await ((await queue.getBackend().client) as unknown as Redis).client('ID');
        await admin.client('KILL', 'ID', String(id));
      }
    } finally {
      await admin.quit();
    }

    await eventually(async () =>
      expect(await scheduled()).toEqual([
        expect.objectContaining({ every: 3_600_000 }),
        expect.objectContaining({ every: 3_600_000 }),
      ]),
    );
  });
});
