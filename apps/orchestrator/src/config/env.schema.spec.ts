import { validateEnv } from '@metaloop/config';
import { envSchema } from './env.schema';

describe('orchestrator env', () => {
  it('needs Postgres, NATS and Redis and listens on 8093 by default', () => {
    const env = validateEnv(envSchema, {
      DATABASE_URL: 'postgresql://localhost/m',
      NATS_URL: 'nats://localhost:4222',
      REDIS_URL: 'redis://localhost:6379',
    });
    expect(env).toMatchObject({ PORT: 8093, REDIS_PREFIX: 'metaloop', MIGRATE_ON_START: true });
  });

  it('reads seed 004’s policy overrides and names a wrong one', () => {
    const required = { DATABASE_URL: 'postgresql://localhost/m', NATS_URL: 'nats://localhost:4222', REDIS_URL: 'redis://localhost:6379' };
    expect(validateEnv(envSchema, { ...required, CANARY_DEPLOYMENT_PERCENT: '10', REQUIRE_APPROVAL_FOR_HIGH_RISK: 'true' })).toMatchObject({
      CANARY_DEPLOYMENT_PERCENT: 10,
      REQUIRE_APPROVAL_FOR_HIGH_RISK: true,
      POLICIES_POLL_INTERVAL_MS: 5_000,
    });
    expect(() => validateEnv(envSchema, { ...required, ORACLE_AUTO_ROLLBACK: 'sometimes' })).toThrow(/ORACLE_AUTO_ROLLBACK: /);
  });

  it('names each missing variable', () => {
    expect(() => validateEnv(envSchema, {})).toThrow(/DATABASE_URL: .*\n.*NATS_URL: .*\n.*REDIS_URL: /);
  });
});
