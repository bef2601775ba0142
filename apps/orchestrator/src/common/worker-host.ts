import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { RedisService } from '@metaloop/messaging';

/** What every worker of the orchestrator does besides its job: quiet reconnect noise, close fast when Redis is away. */
export abstract class OrchestratorWorker extends WorkerHost implements BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);

  constructor(private readonly redis: RedisService) {
    super();
  }

  /** Without a listener BullMQ prints every reconnect failure to stderr; readiness reports Redis. */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.debug(`worker: ${error.message}`);
  }

  /** Forced while Redis is away: a graceful close would wait for a blocking command that never returns. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close(this.redis.client.status !== 'ready');
  }
}
