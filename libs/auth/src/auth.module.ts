import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { AuthModeService } from './auth-mode.service';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';

/**
 * API keys for an app: ApiKeysService, ApiKeyGuard (used through @RequireScopes) and the
 * open/enforcing mode. Needs PrismaService and ConfigService (NODE_ENV), both global in the
 * apps; libs/platform's PlatformModule imports it for every app that uses Postgres.
 */
@Global()
@Module({
  providers: [ApiKeysService, AuthModeService, ApiKeyGuard],
  exports: [ApiKeysService, AuthModeService, ApiKeyGuard],
})
export class AuthModule {}

/**
 * Tunes AuthModule (cache TTLs, refresh interval, clock) where it is imported by someone else
 * (PlatformModule): import this next to it. Meant for tests; the defaults suit production.
 */
@Global()
@Module({})
export class AuthOptionsModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthOptionsModule,
      providers: [{ provide: AUTH_OPTIONS, useValue: options }],
      exports: [AUTH_OPTIONS],
    };
  }
}
