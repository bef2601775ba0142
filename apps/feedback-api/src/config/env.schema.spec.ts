import { EnvValidationError, validateEnv } from '@metaloop/config';
import { envSchema } from './env.schema';

describe('feedback-api env', () => {
  it('needs Postgres and NATS, not Redis, and listens on 8091 by default', () => {
    const env = validateEnv(envSchema, { DATABASE_URL: 'postgresql://localhost/m', NATS_URL: 'nats://localhost:4222' });
    expect(env.PORT).toBe(8091);
    expect(env).not.toHaveProperty('REDIS_URL');
  });

  it('names each missing variable', () => {
    expect(() => validateEnv(envSchema, {})).toThrow(EnvValidationError);
    expect(() => validateEnv(envSchema, {})).toThrow(/DATABASE_URL: .*\n.*NATS_URL: /);
  });
});
