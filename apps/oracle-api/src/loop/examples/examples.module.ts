import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { embedderFromEnv, type ExamplesEnv } from '@metaloop/examples';
import { ExamplesMetrics } from './examples.metrics';
import { EMBEDDER, ExamplesService } from './examples.service';

/** The example store (DICL): ingested feedback → examples rows, examples.changed. */
@Module({
  providers: [
    ExamplesService,
    ExamplesMetrics,
    {
      provide: EMBEDDER,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => embedderFromEnv((name: keyof ExamplesEnv) => config.get(name)),
    },
  ],
  exports: [ExamplesService],
})
export class ExamplesModule {}
