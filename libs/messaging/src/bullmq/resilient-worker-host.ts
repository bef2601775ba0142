import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { RedisService } from '../redis/redis.service';

/**
 * What every BullMQ worker does besides its job: listen to the worker's errors (without a
 * listener BullMQ prints every reconnect failure to stderr) and close before @nestjs/bullmq
 * closes it at shutdown, forced while Redis is away: a graceful close would wait for a
 * blocking command that never returns.
 */
export abstract class ResilientWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);

  constructor(private readonly redis: RedisService) {
    super();
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.reportWorkerError(error);
  }

  /** Reconnect failures repeat every retry and readiness reports Redis, so by default they are only debug. */
  protected reportWorkerError(error: Error): void {
    this.logger.debug(`worker: ${error.message}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close(this.redis.client.status !== 'ready');
  }
}
