import { validateEnv } from '@metaloop/config';
import { envSchema } from './env.schema';

const required = {
  DATABASE_URL: 'postgresql://localhost/m',
  NATS_URL: 'nats://localhost:4222',
  REDIS_URL: 'redis://localhost:6379',
};

describe('oracle-api env', () => {
  it('needs Postgres, NATS and Redis and listens on 8092 by default', () => {
    const env = validateEnv(envSchema, required);
    expect(env).toMatchObject({ PORT: 8092, REDIS_PREFIX: 'metaloop', MIGRATE_ON_START: true });
  });

  it('has the documented ingest and retention defaults', () => {
    expect(validateEnv(envSchema, required)).toMatchObject({
      INGEST_BATCH_MAX: 200,
      INGEST_MAX_DELIVER: 5,
      RETENTION_DAYS: 30,
      RETENTION_PURGE_EVERY_MINUTES: 60,
      RETENTION_PURGE_CHUNK_ROWS: 10_000,
    });
  });

  it('reads the policy file’s path and seed 004’s policy overrides, none set by default', () => {
    const env = validateEnv(envSchema, required);
    expect(env.POLICIES_POLL_INTERVAL_MS).toBe(5_000);
    expect([env.POLICIES_PATH, env.ORACLE_CONFIDENCE_THRESHOLD, env.CANARY_DEPLOYMENT_PERCENT]).toEqual([undefined, undefined, undefined]);
    expect(
      validateEnv(envSchema, { ...required, POLICIES_PATH: '/etc/metaloop/policies.yaml', ORACLE_MAX_MUTATIONS_PER_HOUR: '4', ORACLE_AUTO_ROLLBACK: 'false' }),
    ).toMatchObject({ POLICIES_PATH: '/etc/metaloop/policies.yaml', ORACLE_MAX_MUTATIONS_PER_HOUR: 4, ORACLE_AUTO_ROLLBACK: false });
  });

  it.each([
    ['CANARY_DEPLOYMENT_PERCENT', '75'],
    ['ORACLE_CONFIDENCE_THRESHOLD', 'high'],
    ['INGEST_BATCH_MAX', '0'],
    ['INGEST_FETCH_EXPIRES_MS', '500'],
    ['INGEST_MAX_DELIVER', 'many'],
    ['RETENTION_DAYS', '6'],
  ])('names %s when it is out of range', (name, value) => {
    expect(() => validateEnv(envSchema, { ...required, [name]: value })).toThrow(new RegExp(`${name}: `));
  });

  it('names each missing variable', () => {
    expect(() => validateEnv(envSchema, {})).toThrow(/DATABASE_URL: .*\n.*NATS_URL: .*\n.*REDIS_URL: /);
  });
});
