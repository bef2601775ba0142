import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface RedisModuleOptions {
  url: string;
  /** Prefix of every key metaloop writes (isolates test suites and tenants). */
  keyPrefix: string;
  name: string;
}

export const { ConfigurableModuleClass: ConfigurableRedisModule, MODULE_OPTIONS_TOKEN: REDIS_OPTIONS } =
  new ConfigurableModuleBuilder<RedisModuleOptions>().setClassMethodName('forRoot').build();
