import { deleteRedisKeys, isolationId, testEnv } from '@metaloop/testing';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisLock } from './redis-lock';

describe('RedisLock (real Redis)', () => {
  const prefix = isolationId('redis_lock');
  const client = new Redis(testEnv.TEST_REDIS_URL);
  let n = 0;
  const freshLock = () => new RedisLock(client, `${prefix}:lock-${++n}`);

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    await client.quit();
  });

  it('has one holder at a time, and is free again once released', async () => {
    const lock = freshLock();
    const a = await lock.acquire('a', { ttlMs: 10_000 });
    expect(a).toBeDefined();
    expect(await lock.acquire('b', { ttlMs: 10_000 })).toBeUndefined();
    expect(await lock.holder()).toBe('a');
    expect(await client.pttl(lock.key)).toBeGreaterThan(9_000);

    expect(await a!.release()).toBe(true);
    expect(await lock.holder()).toBeNull();
    expect(await lock.acquire('b', { ttlMs: 10_000 })).toBeDefined();
  });

  it('frees itself after its TTL, and a slow holder then cannot free the next one', async () => {
    const lock = freshLock();
    const slow = await lock.acquire('slow', { ttlMs: 100 });
    await sleep(200);
    const next = await lock.acquire('next', { ttlMs: 10_000 });
    expect(next).toBeDefined();

    expect(await slow!.release()).toBe(false);
    expect(await lock.holder()).toBe('next');
  });

  it('renewed, outlives its TTL for as long as it is held', async () => {
    const lock = freshLock();
    const held = await lock.acquire('worker', { ttlMs: 300, renew: true });
    await sleep(900);
    expect(await lock.holder()).toBe('worker');

    expect(await held!.release()).toBe(true);
    expect(await lock.holder()).toBeNull();
  });
});
