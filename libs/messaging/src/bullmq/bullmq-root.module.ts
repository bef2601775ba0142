import { BullModule } from '@nestjs/bullmq';
import type { DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { bullmqConnection } from './bullmq-connection';

/**
 * BullMQ's shared settings for every queue and worker of an app: Redis from REDIS_URL and
 * REDIS_PREFIX as the key prefix (tests and deployments sharing a Redis stay apart).
 * @nestjs/bullmq closes the queues and workers it creates at shutdown.
 */
export function bullmqRoot(app: string): DynamicModule {
  return BullModule.forRootAsync({
    inject: [ConfigService],
    useFactory: (config: ConfigService) => ({
      connection: bullmqConnection(config.getOrThrow<string>('REDIS_URL'), `${app}-bullmq`),
      prefix: config.getOrThrow<string>('REDIS_PREFIX'),
    }),
  });
}
