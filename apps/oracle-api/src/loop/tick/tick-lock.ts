import { Injectable } from '@nestjs/common';
import { RedisService } from '@metaloop/messaging';

/** Deletes the lock only while it is still ours (a slow holder must not free a newer one). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Extends the lock only while it is still ours. */
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Single flight across replicas: one Redis key, set only if absent, holding the holder's id,
 * with an expiry renewed while the holder works — so a crashed replica's tick frees the lock
 * within `ttlMs`, and a live one never loses it mid-tick.
 */
@Injectable()
export class TickLock {
  constructor(private readonly redis: RedisService) {}

  private get key(): string {
    return this.redis.key('oracle', 'tick-lock');
  }

  /** The lock, or the id of whoever holds it. */
  async acquire(holder: string, ttlMs = 30_000): Promise<{ lock: HeldLock } | { heldBy: string }> {
    const claimed = await this.redis.client.set(this.key, holder, 'PX', ttlMs, 'NX');
    if (!claimed) return { heldBy: (await this.redis.client.get(this.key)) ?? 'unknown (just released)' };
    const renew = setInterval(() => void this.redis.client.eval(EXTEND, 1, this.key, holder, String(ttlMs)).catch(() => undefined), ttlMs / 3);
    renew.unref();
    return {
      lock: {
        release: async () => {
          clearInterval(renew);
          await this.redis.client.eval(RELEASE, 1, this.key, holder);
        },
      },
    };
  }
}
