import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.schema';
import { bullmqConnection } from './bullmq-connection';

/**
 * BullMQ's shared settings for every queue and worker of oracle-api: Redis from REDIS_URL
 * and REDIS_PREFIX as the key prefix (tests and deployments sharing a Redis stay apart).
 * @nestjs/bullmq closes the queues and workers it creates at shutdown.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        connection: bullmqConnection(config.get('REDIS_URL', { infer: true }), 'oracle-api-bullmq'),
        prefix: config.get('REDIS_PREFIX', { infer: true }),
      }),
    }),
  ],
})
export class QueuesModule {}
