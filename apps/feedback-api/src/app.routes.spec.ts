import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { listRoutes, routesWithoutScopes } from '@metaloop/auth';
import { connectJetStream, natsTopology } from '@metaloop/events';
import { isolationId, scratchSchema, testEnv, type ScratchSchema } from '@metaloop/testing';
import { startApp } from '@metaloop/platform';
import { Redis } from 'ioredis';

/**
 * The only routes of feedback-api anyone may call without an API key. Every other route must
 * declare what it needs with @RequireScopes(...) from @metaloop/auth; a route added without
 * it fails here.
 */
const PUBLIC_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];

describe('feedback-api routes', () => {
  const savedEnv = { ...process.env };
  const prefix = isolationId('feedback-api-routes');
  let schema: ScratchSchema | undefined;
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    schema = await scratchSchema('feedback-api-routes');
    // The real app against the real services, isolated: own schema, NATS prefix, Redis prefix.
    app = await startApp(() => import('./app.definition.js').then((m) => m.feedbackApi), {
      NODE_ENV: 'test',
      DATABASE_URL: schema.url,
      NATS_URL: testEnv.TEST_NATS_URL,
      NATS_PREFIX: prefix,
      REDIS_URL: testEnv.TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
    });
  });

  afterAll(async () => {
    await app?.close();
    await removeStreams(prefix);
    await removeRedisKeys(prefix);
    await schema?.drop();
    process.env = savedEnv;
  });

  it('needs an API key scope on every route but health and metrics', () => {
    const open = routesWithoutScopes(app!).map((route) => `${route.method} ${route.path}`);
    expect(open).toEqual(PUBLIC_ROUTES);
  });

  it('audits the routes the server really serves', () => {
    const fastify = app!.getHttpAdapter().getInstance();
    const routes = listRoutes(app!);
    expect(routes.length).toBeGreaterThanOrEqual(PUBLIC_ROUTES.length);
    for (const route of routes.filter((r) => r.method !== 'ALL')) {
      expect([route.method, route.path, fastify.hasRoute({ method: route.method as 'GET', url: route.path })]).toEqual([route.method, route.path, true]);
    }
  });
});

async function removeStreams(prefix: string): Promise<void> {
  const nats = await connectJetStream({ servers: testEnv.TEST_NATS_URL, name: 'feedback-api-routes-cleanup', prefix }).catch(() => undefined);
  if (!nats) return;
  for (const stream of Object.values(natsTopology({ prefix }).streams)) await nats.jsm.streams.delete(stream.name).catch(() => undefined);
  await nats.nc.close();
}

async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testEnv.TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
