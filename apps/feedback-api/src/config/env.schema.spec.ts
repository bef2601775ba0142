import { EnvValidationError, validateEnv } from '@metaloop/config';
import { envSchema } from './env.schema';

const required = {
  DATABASE_URL: 'postgresql://localhost/m',
  NATS_URL: 'nats://localhost:4222',
  REDIS_URL: 'redis://localhost:6379',
};

describe('feedback-api env', () => {
  it('listens on 8091 and group-commits with a linger of at most 2 ms by default', () => {
    const env = validateEnv(envSchema, required);
    expect(env).toMatchObject({
      PORT: 8091,
      PUBLISH_LINGER_MS: 1,
      PUBLISH_MAX_EVENTS: 500,
      DEDUPE_WINDOW_SECONDS: 600,
    });
  });

  it('resyncs the agent config cache every 10 s by default, never more often than every 100 ms', () => {
    expect(validateEnv(envSchema, required)).toMatchObject({ CONFIG_RESYNC_MS: 10_000 });
    expect(() => validateEnv(envSchema, { ...required, CONFIG_RESYNC_MS: '10' })).toThrow(/CONFIG_RESYNC_MS/);
  });

  it('remembers unknown agent ids for 1 s (10,000 at most) and loads at most 8 misses at once by default', () => {
    expect(validateEnv(envSchema, required)).toMatchObject({
      CONFIG_MISS_TTL_MS: 1_000,
      CONFIG_MISS_MAX_ENTRIES: 10_000,
      CONFIG_MISS_MAX_LOADS: 8,
    });
    expect(validateEnv(envSchema, { ...required, CONFIG_MISS_TTL_MS: '0' })).toMatchObject({ CONFIG_MISS_TTL_MS: 0 });
    expect(() => validateEnv(envSchema, { ...required, CONFIG_MISS_MAX_LOADS: '0' })).toThrow(/CONFIG_MISS_MAX_LOADS/);
  });

  it('serves the hot routes as fast routes unless FAST_ROUTES=off', () => {
    expect(validateEnv(envSchema, required)).toMatchObject({ FAST_ROUTES: 'on' });
    expect(validateEnv(envSchema, { ...required, FAST_ROUTES: 'off' })).toMatchObject({ FAST_ROUTES: 'off' });
    expect(() => validateEnv(envSchema, { ...required, FAST_ROUTES: 'false' })).toThrow(
      /FAST_ROUTES: expected on or off/,
    );
  });

  it('names each missing variable', () => {
    expect(() => validateEnv(envSchema, {})).toThrow(EnvValidationError);
    expect(() => validateEnv(envSchema, {})).toThrow(/DATABASE_URL: .*\n.*NATS_URL: .*\n.*REDIS_URL: /);
  });

  it('refuses a linger above 2 ms, which would break the latency promise', () => {
    expect(() => validateEnv(envSchema, { ...required, PUBLISH_LINGER_MS: '5' })).toThrow(/PUBLISH_LINGER_MS/);
  });
});
