import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startApp } from '@metaloop/platform';
import {
  eventually,
  isolationId,
  scratchSchema,
  startRedisServer,
  testEnv,
  type ScratchSchema,
  type TestRedisServer,
} from '@metaloop/testing';

/**
 * Redis only remembers accepted client event ids (the consumer's unique event_id is the final
 * guard), so feedback with client ids is taken while Redis is away instead of waiting for it.
 * Each request below would wait until Redis answers again — here never — without the bound.
 */
describe('feedback-api while Redis is down or hung', () => {
  let schema: ScratchSchema;
  let redis: TestRedisServer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    schema = await scratchSchema('feedback_redis_outage');
    redis = await startRedisServer();
    const prefix = isolationId('feedback_redis_outage');
    app = await startApp(() => import('../app.definition.js').then((m) => m.feedbackApi), {
      DATABASE_URL: schema.url,
      NATS_URL: testEnv.TEST_NATS_URL,
      NATS_PREFIX: prefix,
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
    });
  });

  afterAll(async () => {
    redis?.resume();
    await app?.close();
    await redis?.dispose();
    await schema?.drop();
  });

  const collect = async (eventId: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/feedback/collect',
      payload: JSON.stringify({ event_id: eventId, agent_id: 'a', session_id: 's' }),
      headers: { 'content-type': 'application/json' },
    });
    return { status: response.statusCode, duplicate: (response.json() as { duplicate?: boolean }).duplicate };
  };
  const bulk = async (eventIds: string[]) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/feedback/collect/bulk',
      payload: JSON.stringify({ events: eventIds.map((event_id) => ({ event_id, agent_id: 'a', session_id: 's' })) }),
      headers: { 'content-type': 'application/json' },
    });
    return { status: response.statusCode, accepted: (response.json() as { accepted?: number }).accepted };
  };

  it('answers a client id 202 while Redis is down, and remembers ids again once it is back', async () => {
    await eventually(async () => expect(await collect('before')).toEqual({ status: 202, duplicate: false }));
    expect(await collect('before')).toEqual({ status: 202, duplicate: true });

    await redis.kill();
    expect(await collect('while-down')).toEqual({ status: 202, duplicate: false });
    expect(await bulk(['down-1', 'down-2'])).toEqual({ status: 202, accepted: 2 });
    // Still ready (a load balancer keeps sending), and the report says Redis is down.
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: { status: 'down' } } });

    await redis.start();
    await eventually(async () => {
      await collect('after');
      expect(await collect('after')).toEqual({ status: 202, duplicate: true });
    }, 20_000);
  });

  it('answers a client id 202 while Redis is hung (connected, answering nothing)', async () => {
    await eventually(async () => expect(await collect('before-hang')).toMatchObject({ status: 202 }));
    redis.pause();
    try {
      expect(await collect('while-hung')).toEqual({ status: 202, duplicate: false });
      expect(await bulk(['hung-1', 'hung-2'])).toEqual({ status: 202, accepted: 2 });
    } finally {
      redis.resume();
    }
  });
});
