export { NatsModule } from './nats/nats.module';
export { NatsService, NatsUnavailableError } from './nats/nats.service';
export type { NatsModuleOptions } from './nats/nats.options';
export { NATS_EVENTS_TRANSPORT, NatsEventsServer } from './nats-events/nats-events.server';
export { NatsEventsClient } from './nats-events/nats-events.client';
export { RedisModule } from './redis/redis.module';
export { RedisService } from './redis/redis.service';
export { RedisLock, type HeldLock, type LockOptions } from './redis/redis-lock';
export type { RedisModuleOptions } from './redis/redis.options';
export { bullmqConnection } from './bullmq/bullmq-connection';
export { bullmqRoot } from './bullmq/bullmq-root.module';
export { ResilientWorkerHost } from './bullmq/resilient-worker-host';
export {
  connectJetStream,
  connectNats,
  ensureStreams,
  openJetStream,
  type JetStreamConnectOptions,
  type JetStreamContext,
  type NatsConnectOptions,
} from './jetstream/jetstream';
