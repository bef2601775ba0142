import { Redis } from 'ioredis';
import { testEnv } from './test-env';

/** Deletes every key under `<prefix>:` (a suite's BullMQ queues, locks, idempotency keys). */
export async function deleteRedisKeys(prefix: string, url = testEnv.TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
