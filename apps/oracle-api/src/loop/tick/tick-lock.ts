import { Injectable } from '@nestjs/common';
import { RedisLock, RedisService, type HeldLock } from '@metaloop/messaging';

/**
 * The tick's single flight across replicas: renewed while the holder works, so a crashed
 * replica's tick frees the lock within `ttlMs`, and a live one never loses it mid-tick.
 */
@Injectable()
export class TickLock {
  constructor(private readonly redis: RedisService) {}

  /** The lock, or the id of whoever holds it. */
  async acquire(holder: string, ttlMs = 30_000): Promise<{ lock: HeldLock } | { heldBy: string }> {
    const lock = new RedisLock(this.redis.client, this.redis.key('oracle', 'tick-lock'));
    const held = await lock.acquire(holder, { ttlMs, renew: true });
    if (held) return { lock: held };
    return { heldBy: (await lock.holder()) ?? 'unknown (just released)' };
  }
}
