import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { baseEnvSchema, redisEnv } from '@metaloop/config';
import { RedisService } from '@metaloop/messaging';
import { isolationId, testEnv } from '@metaloop/testing';
import { z } from 'zod';
import { createApp } from './bootstrap';
import { Idempotent } from './idempotency.interceptor';

let runs = 0;
let failNext = false;

@Controller('orders')
class OrdersController {
  @Post()
  @HttpCode(201)
  @Idempotent()
  async create(
    @Body({ schema: z.object({ item: z.string(), slow: z.boolean().optional() }) })
    body: {
      item: string;
      slow?: boolean;
    },
  ) {
    runs += 1;
    if (body.slow) await new Promise((resolve) => setTimeout(resolve, 300));
    if (failNext) {
      failNext = false;
      throw new Error('downstream failed');
    }
    return { order: runs, item: body.item };
  }
}

const envSchema = baseEnvSchema.extend(redisEnv);
// createApp validates the environment (ConfigModule.forRoot) when it builds the app.
Object.assign(process.env, {
  LOG_LEVEL: 'silent',
  REDIS_URL: testEnv.TEST_REDIS_URL,
  REDIS_PREFIX: isolationId('idempotency'),
});

@Module({
  controllers: [OrdersController],
})
class SpecModule {}

describe('Idempotency-Key (real Redis)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createApp({
      name: 'idempotency-spec',
      module: SpecModule,
      envSchema,
      uses: { redis: true },
      description: 'spec',
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    const redis = app.get(RedisService);
    const keys = await redis.client.keys(`${redis.keyPrefix}:*`);
    if (keys.length) await redis.client.del(...keys);
    await app.close();
  });

  const post = (payload: object, key?: string) =>
    app.inject({ method: 'POST', url: '/orders', payload, headers: key ? { 'idempotency-key': key } : {} });

  it('runs once per key and replays the first answer', async () => {
    const first = await post({ item: 'a' }, 'key-1');
    const again = await post({ item: 'a' }, 'key-1');
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect((await post({ item: 'a' }, 'key-2')).json().order).toBe(first.json().order + 1);
  });

  it('replays a retry whose JSON has its keys in another order and other whitespace', async () => {
    const first = await post({ item: 'a', slow: false }, 'key-6');
    const retry = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'idempotency-key': 'key-6', 'content-type': 'application/json' },
      payload: '{ "slow" : false,\n  "item": "a" }',
    });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
  });

  it('runs every request without a key', async () => {
    const a = await post({ item: 'x' });
    const b = await post({ item: 'x' });
    expect(b.json().order).toBe(a.json().order + 1);
  });

  it('refuses the same key with another body (422) and a bad key (400)', async () => {
    await post({ item: 'a' }, 'key-3');
    const other = await post({ item: 'b' }, 'key-3');
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/problem\+json/);
    expect((await post({ item: 'a' }, 'has space')).statusCode).toBe(400);
  });

  it('answers 409 with Retry-After while the first request still runs', async () => {
    const slow = post({ item: 'a', slow: true }, 'key-4');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const concurrent = await post({ item: 'a', slow: true }, 'key-4');
    expect(concurrent.statusCode).toBe(409);
    expect(concurrent.headers['retry-after']).toBe('1');
    expect((await slow).statusCode).toBe(201);
  });

  it('frees the key when the request failed, so a retry runs', async () => {
    failNext = true;
    expect((await post({ item: 'a' }, 'key-5')).statusCode).toBe(500);
    const retry = await post({ item: 'a' }, 'key-5');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });
});
