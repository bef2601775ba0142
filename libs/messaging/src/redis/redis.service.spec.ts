import { Test, type TestingModule } from '@nestjs/testing';
import { isolationId, testEnv } from '@metaloop/testing';
import { RedisModule } from './redis.module';
import { RedisService } from './redis.service';

describe('RedisService (real Redis)', () => {
  let moduleRef: TestingModule;
  let redis: RedisService;
  const keyPrefix = isolationId('redis');

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [RedisModule.forRoot({ url: testEnv.TEST_REDIS_URL, keyPrefix, name: 'redis-spec' })],
    }).compile();
    await moduleRef.init();
    redis = moduleRef.get(RedisService);
  });

  afterAll(async () => {
    await redis.client.del(redis.key('probe'));
    await moduleRef.close();
  });

  it('answers its readiness ping and keeps keys under its prefix', async () => {
    await redis.client.ping();
    await expect(redis.ping()).resolves.toBeUndefined();
    await redis.client.set(redis.key('probe'), '1');
    expect(redis.key('probe')).toBe(`${keyPrefix}:probe`);
    expect(await redis.client.get(`${keyPrefix}:probe`)).toBe('1');
  });

  it('gives BullMQ a connection setting it accepts', () => {
    expect(redis.connectionOptions().maxRetriesPerRequest).toBeNull();
  });

  it('is not ready when the server cannot be reached', async () => {
    const unreachable = await Test.createTestingModule({
      imports: [RedisModule.forRoot({ url: 'redis://127.0.0.1:1', keyPrefix, name: 'redis-spec-down' })],
    }).compile();
    const service = unreachable.get(RedisService);
    await expect(service.ping()).rejects.toThrow(/redis connection is (connecting|reconnecting)/);
    service.client.disconnect();
  });
});
