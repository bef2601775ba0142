export { NatsModule } from './nats/nats.module';
export { NatsService, NatsUnavailableError } from './nats/nats.service';
export type { NatsModuleOptions } from './nats/nats.options';
export { RedisModule } from './redis/redis.module';
export { RedisService } from './redis/redis.service';
export type { RedisModuleOptions } from './redis/redis.options';
