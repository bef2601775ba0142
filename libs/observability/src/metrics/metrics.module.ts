import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';

@Global()
@Module({})
export class MetricsModule {
  /** Provides the app's MetricsRegistry (for its own counters) and serves GET /metrics. */
  static forRoot(app: string): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: MetricsRegistry, useFactory: () => new MetricsRegistry(app) }],
      exports: [MetricsRegistry],
    };
  }
}
