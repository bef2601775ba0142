import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  eventually,
  isolationId,
  scratchSchema,
  startNatsServer,
  testEnv,
  type ScratchSchema,
  type TestNatsServer,
} from '@metaloop/testing';
import { startApp } from '@metaloop/platform';

describe('feedback-api while NATS is down', () => {
  let schema: ScratchSchema;
  let nats: TestNatsServer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    schema = await scratchSchema('feedback_outage');
    nats = await startNatsServer();
    const prefix = isolationId('feedback_outage');
    app = await startApp(() => import('../app.definition.js').then((m) => m.feedbackApi), {
      DATABASE_URL: schema.url,
      NATS_URL: nats.url,
      NATS_PREFIX: prefix,
      REDIS_URL: testEnv.TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      PUBLISH_TIMEOUT_MS: '500',
    });
    await eventually(async () =>
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200),
    );
  });

  afterAll(async () => {
    await app?.close();
    await nats?.dispose();
    await schema?.drop();
  });

  const collect = (body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/feedback/collect',
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  it('answers 503 with Retry-After, never 202, and accepts again once NATS is back', async () => {
    expect((await collect({ agent_id: 'a', session_id: 's' })).statusCode).toBe(202);
    await nats.kill();
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const response = await collect({ event_id: `outage-${i}`, agent_id: 'a', session_id: 's' });
      statuses.add(response.statusCode);
      if (response.statusCode === 503) {
        expect(response.headers['retry-after']).toBeDefined();
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...statuses]).toEqual([503]);
    const bulk = await app.inject({
      method: 'POST',
      url: '/api/v1/feedback/collect/bulk',
      payload: JSON.stringify({ events: [{ agent_id: 'a', session_id: 's' }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(bulk.statusCode).toBe(503);

    await nats.start();
    await eventually(
      async () =>
        expect((await collect({ event_id: 'outage-0', agent_id: 'a', session_id: 's' })).json()).toMatchObject({
          duplicate: false,
        }),
      20_000,
    );
  });
});
