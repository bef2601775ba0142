import type { AppDefinition } from '@metaloop/platform';
import { AppModule } from './app.module';
import { envSchema } from './config/env.schema';

export const orchestrator: AppDefinition = {
  name: 'orchestrator',
  module: AppModule,
  envSchema,
  uses: { postgres: true, nats: { ensureStreams: false }, redis: true },
  description:
    'BullMQ workers: plan execution through the adapters, canary monitoring, promotion, auto-rollback, adapter reverts.',
};
