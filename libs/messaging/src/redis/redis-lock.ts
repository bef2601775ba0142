import type { Redis } from 'ioredis';

/** Deletes the lock only while it is still ours (a slow holder must not free a newer one). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Extends the lock only while it is still ours. */
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface LockOptions {
  /** The lock frees itself this long after it was taken (or last renewed): a crashed holder cannot keep it. */
  ttlMs: number;
  /** Renew the expiry every ttlMs / 3 until released, so a live holder never loses the lock mid-work. */
  renew?: boolean;
}

export interface HeldLock {
  /** Frees the lock if it is still ours (and stops renewing it); true when it was. */
  release(): Promise<boolean>;
}

/**
 * Single flight across replicas: one Redis key, set only if absent, holding its holder's
 * token, with an expiry. Only the holder of the token frees or renews it.
 */
export class RedisLock {
  constructor(
    private readonly client: Redis,
    readonly key: string,
  ) {}

  /** The lock, held under `token`; undefined when someone else holds it. */
  async acquire(token: string, { ttlMs, renew = false }: LockOptions): Promise<HeldLock | undefined> {
    if (!(await this.client.set(this.key, token, 'PX', ttlMs, 'NX'))) return undefined;
    const renewal = renew
      ? setInterval(
          () => void this.client.eval(EXTEND, 1, this.key, token, String(ttlMs)).catch(() => undefined),
          ttlMs / 3,
        )
      : undefined;
    renewal?.unref();
    return {
      release: async () => {
        clearInterval(renewal);
        return (await this.client.eval(RELEASE, 1, this.key, token)) === 1;
      },
    };
  }

  /** The token of whoever holds the lock now; null when nobody does. */
  holder(): Promise<string | null> {
    return this.client.get(this.key);
  }
}
