import type { DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { loggerParams } from './logger-params';

/** pino logging for an app, at the LOG_LEVEL of its validated config. */
export function loggingModule(app: string): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [ConfigService],
    useFactory: (config: ConfigService) => loggerParams(app, config.get<string>('LOG_LEVEL') ?? 'info'),
  });
}
