import { Global, Module } from '@nestjs/common';
import { ConfigurableRedisModule } from './redis.options';
import { RedisService } from './redis.service';

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule extends ConfigurableRedisModule {}
