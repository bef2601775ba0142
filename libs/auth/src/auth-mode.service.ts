import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiKeysService } from './api-keys.service';
import { NoApiKeysError } from './auth.errors';
import { AUTH_OPTIONS, resolveAuthOptions, type AuthOptions, type ResolvedAuthOptions } from './auth.options';

const OPEN_API_WARNING = (nodeEnv: string) =>
  [
    '',
    '################################################################################',
    `#  NO API KEYS: THIS API IS OPEN (NODE_ENV=${nodeEnv})`,
    '#  Every route answers without a key, as "anonymous" with the admin scope.',
    '#  Create a key and enforcement turns on by itself within 30 s (no restart):',
    '#    npm run keys:create -- --name ops --scopes admin',
    '#  With NODE_ENV=production the apps refuse to start without an active key.',
    '################################################################################',
  ].join('\n');

/**
 * Decides whether API keys are enforced. They are when NODE_ENV=production, or when at least
 * one key is active; otherwise the API is open (a fresh dev machine works without keys). The
 * count is read at start and every `modeRefreshIntervalMs` (30 s), so creating the first key
 * or revoking the last one changes the mode without a restart. In production, starting with
 * no active key fails with the command that creates one.
 */
@Injectable()
export class AuthModeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  private readonly options: ResolvedAuthOptions;
  private readonly nodeEnv: string;
  private activeKeys = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly keys: ApiKeysService,
    config: ConfigService,
    @Optional() @Inject(AUTH_OPTIONS) options?: AuthOptions,
  ) {
    this.options = resolveAuthOptions(options);
    this.nodeEnv = config.get<string>('NODE_ENV') ?? 'development';
  }

  get production(): boolean {
    return this.nodeEnv === 'production';
  }

  /** Whether requests need a valid key; false means open mode (anonymous admin). */
  get enforcing(): boolean {
    return this.production || this.activeKeys > 0;
  }

  /**
   * After every module's init (so migrate-on-start has run): count the keys, refuse to start
   * in production without one, warn loudly when open, then keep the count fresh.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      this.activeKeys = await this.keys.countActive();
    } catch (error) {
      const cause = String((error as Error).message)
        .trim()
        .split('\n')
        .at(-1);
      throw new Error(
        `cannot count API keys (is the schema migrated? MIGRATE_ON_START=true or npm run db:migrate): ${cause}`,
        {
          cause: error,
        },
      );
    }
    if (this.production && this.activeKeys === 0) throw new NoApiKeysError();
    if (this.enforcing) this.logger.log(`API keys enforced (${this.activeKeys} active)`);
    else this.logger.warn(OPEN_API_WARNING(this.nodeEnv));
    this.timer = setInterval(() => void this.refresh(), this.options.modeRefreshIntervalMs);
    this.timer.unref();
  }

  /** Re-reads the count of active keys (also for tests); keeps the last count if Postgres fails. */
  async refresh(): Promise<boolean> {
    const wasEnforcing = this.enforcing;
    try {
      this.activeKeys = await this.keys.countActive();
    } catch (error) {
      this.logger.warn(
        `could not count API keys, keeping ${wasEnforcing ? 'enforcement on' : 'open mode'}: ${(error as Error).message}`,
      );
      return wasEnforcing;
    }
    if (this.enforcing !== wasEnforcing) {
      if (this.enforcing) this.logger.log(`API keys enforced from now on (${this.activeKeys} active)`);
      else this.logger.warn(OPEN_API_WARNING(this.nodeEnv));
    } else if (this.production && this.activeKeys === 0) {
      this.logger.error('no active API key: every guarded request is refused (401) until one is created');
    }
    return this.enforcing;
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
