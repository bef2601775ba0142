import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { REDIS_OPTIONS, type RedisModuleOptions } from './redis.options';

/**
 * The app's Redis connection. `connectionOptions()` gives BullMQ what it needs for its own
 * connections (it requires maxRetriesPerRequest null and uses its own key prefix).
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  readonly keyPrefix: string;

  constructor(@Inject(REDIS_OPTIONS) private readonly options: RedisModuleOptions) {
    this.keyPrefix = options.keyPrefix;
    this.client = new Redis(options.url, this.connectionOptions());
    // Connection errors surface through readiness; without a listener ioredis logs each retry.
    this.client.on('error', () => undefined);
  }

  connectionOptions(): RedisOptions {
    return {
      connectionName: this.options.name,
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    };
  }

  /** A key under this deployment's prefix. */
  key(...parts: string[]): string {
    return [this.keyPrefix, ...parts].join(':');
  }

  async ping(): Promise<void> {
    if (this.client.status !== 'ready') throw new Error(`redis connection is ${this.client.status}`);
    await this.client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
