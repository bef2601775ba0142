import type { RedisOptions } from 'bullmq';

/**
 * ioredis options (in BullMQ's type for them) for BullMQ's own connections, from REDIS_URL. BullMQ requires
 * `maxRetriesPerRequest: null` (its blocking commands must wait out a Redis restart rather
 * than fail), and it puts its own `prefix` on keys, so no ioredis keyPrefix here.
 */
export function bullmqConnection(redisUrl: string, connectionName: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    connectionName,
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
}
