import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { embedderFromEnv, type ExamplesEnv } from '@metaloop/examples';
import { EMBEDDER, ExampleStore } from './example-store';
import { ExamplesChangedListener } from './examples-changed.listener';
import { ExamplesMetrics } from './examples.metrics';

/** Agents' examples in memory, kept fresh by examples.changed; used by the search route and the config fetch. */
@Module({
  controllers: [ExamplesChangedListener],
  providers: [
    ExampleStore,
    ExamplesMetrics,
    {
      provide: EMBEDDER,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => embedderFromEnv((name: keyof ExamplesEnv) => config.get(name)),
    },
  ],
  exports: [ExampleStore, ExamplesMetrics],
})
export class ExampleStoreModule {}
