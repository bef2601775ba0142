import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AuthModule } from '@metaloop/auth';
import { envValidator } from '@metaloop/config';
import { PrismaModule, PrismaService } from '@metaloop/db';
import { NatsModule, NatsService, RedisModule, RedisService } from '@metaloop/messaging';
import { HealthModule, loggingModule, MetricsModule, type ReadinessCheck } from '@metaloop/observability';
import type { z } from 'zod';

export interface PlatformOptions {
  /** Service name: logs, metrics label, NATS and Postgres client names. */
  app: string;
  /** The app's env schema (src/config/env.schema.ts); it must define what `uses` needs. */
  envSchema: z.ZodType<Record<string, unknown>>;
  uses: {
    postgres?: boolean;
    /** JetStream; `ensureStreams` for the apps that publish to or consume the streams. */
    nats?: { ensureStreams: boolean };
    /**
     * `{ gatesReadiness: false }` for an app that serves without Redis (feedback-api: only its
     * duplicate check uses it): readiness still reports Redis, but a Redis outage does not take
     * the app out of its load balancer.
     */
    redis?: boolean | { gatesReadiness: boolean };
  };
}

/**
 * What every metaloop app is made of: validated config, pino logs, /metrics, /health with
 * readiness checks of exactly the dependencies the app uses, and those connections.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const imports: Array<Type | DynamicModule | Promise<DynamicModule>> = [
      ConfigModule.forRoot({ isGlobal: true, cache: true, validate: envValidator(options.envSchema) }),
      loggingModule(options.app),
      MetricsModule.forRoot(options.app),
    ];
    const checks: Array<{
      name: string;
      token: typeof PrismaService | typeof NatsService | typeof RedisService;
      gatesReadiness?: boolean;
    }> = [];
    if (options.uses.postgres) {
      imports.push(
        PrismaModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            databaseUrl: config.getOrThrow<string>('DATABASE_URL'),
            migrateOnStart: config.get<boolean>('MIGRATE_ON_START') ?? false,
            applicationName: options.app,
          }),
        }),
      );
      checks.push({ name: 'postgres', token: PrismaService });
      // API keys (@RequireScopes, ApiKeyGuard) live in Postgres, so every app that has it gets them.
      imports.push(AuthModule);
    }
    if (options.uses.nats) {
      const { ensureStreams } = options.uses.nats;
      imports.push(
        NatsModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            servers: config.getOrThrow<string[]>('NATS_URL'),
            name: options.app,
            prefix: config.get<string>('NATS_PREFIX') ?? '',
            ensureStreams,
          }),
        }),
      );
      checks.push({ name: 'nats', token: NatsService });
    }
    if (options.uses.redis) {
      imports.push(
        RedisModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            url: config.getOrThrow<string>('REDIS_URL'),
            keyPrefix: config.getOrThrow<string>('REDIS_PREFIX'),
            name: options.app,
          }),
        }),
      );
      const gatesReadiness = typeof options.uses.redis === 'object' ? options.uses.redis.gatesReadiness : true;
      checks.push({ name: 'redis', token: RedisService, gatesReadiness });
    }
    imports.push(
      HealthModule.forRootAsync({
        inject: checks.map((c) => c.token),
        useFactory: (...dependencies: Array<{ ping(): Promise<void> }>) => ({
          checks: checks.map(({ name, gatesReadiness }, i): ReadinessCheck => ({
            name,
            check: () => dependencies[i]!.ping(),
            gatesReadiness,
          })),
        }),
      }),
    );
    // Everything it imports is global (config, logger, metrics, connections): nothing to export.
    return { module: PlatformModule, imports };
  }
}
