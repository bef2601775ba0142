import type { AppDefinition } from '@metaloop/platform';
import { AppModule } from './app.module';
import { envSchema } from './config/env.schema';

export const feedbackApi: AppDefinition = {
  name: 'feedback-api',
  module: AppModule,
  envSchema,
  // Redis holds only the duplicate check, which steps aside while Redis is away: no reason to stop serving.
  uses: { postgres: true, nats: { ensureStreams: true }, redis: { gatesReadiness: false } },
  description:
    'Agent-facing data plane: feedback and system metrics into JetStream, live agent config with sticky canary arms.',
  bodyLimits: (config) => ({
    default: config.getOrThrow<number>('BODY_LIMIT_BYTES'),
    routes: { '/api/v1/feedback/collect/bulk': config.getOrThrow<number>('BULK_BODY_LIMIT_BYTES') },
  }),
  fastRoutes: (config) => ({
    enabled: config.getOrThrow<string>('FAST_ROUTES') === 'on',
    offSwitch: 'FAST_ROUTES=off',
  }),
};
