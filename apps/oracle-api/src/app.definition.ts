import type { AppDefinition } from '@metaloop/platform';
import { AppModule } from './app.module';
import { envSchema } from './config/env.schema';

export const oracleApi: AppDefinition = {
  name: 'oracle-api',
  module: AppModule,
  envSchema,
  uses: { postgres: true, nats: { ensureStreams: true }, redis: true },
  description:
    'Control plane: feedback ingest, agent registry, analyzer, planner, SPEC gates, tick, rollback and audit.',
};
