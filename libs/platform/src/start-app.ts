import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, type AppDefinition } from './bootstrap';

/**
 * Builds an app in this process against real services (tests). The environment is set first,
 * and the definition loaded lazily by the caller (feature modules may read it when imported), e.g.
 * `startApp(() => import('./app.definition').then((m) => m.feedbackApi), env)`.
 */
export async function startApp(
  load: () => Promise<AppDefinition>,
  env: Record<string, string>,
): Promise<NestFastifyApplication> {
  Object.assign(process.env, env);
  const app = await createApp(await load());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
