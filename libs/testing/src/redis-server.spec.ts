import { Redis } from 'ioredis';
import { startRedisServer, type TestRedisServer } from './redis-server';

describe('startRedisServer', () => {
  let server: TestRedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.dispose());

  async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  }

  it('comes back empty on the same port after a kill', async () => {
    await withRedis((redis) => redis.set('kept?', 'yes'));
    expect(await withRedis((redis) => redis.get('kept?'))).toBe('yes');

    await server.kill();
    await expect(withRedis((redis) => redis.ping())).rejects.toThrow();
    await server.start();

    expect(await withRedis((redis) => redis.dbsize())).toBe(0);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
  });

  it('persists nothing', async () => {
    const [save, appendonly] = await withRedis((redis) =>
      Promise.all([redis.config('GET', 'save'), redis.config('GET', 'appendonly')]),
    );
    expect({ save, appendonly }).toEqual({ save: ['save', ''], appendonly: ['appendonly', 'no'] });
  });
});
