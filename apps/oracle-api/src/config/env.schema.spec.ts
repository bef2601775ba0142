import { adapterOptionsFromEnv, adaptersEnv } from '@metaloop/adapters';
import { validateEnv } from '@metaloop/config';
import { z } from 'zod';
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
    expect([env.POLICIES_PATH, env.ORACLE_CONFIDENCE_THRESHOLD, env.CANARY_DEPLOYMENT_PERCENT]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(
      validateEnv(envSchema, {
        ...required,
        POLICIES_PATH: '/etc/metaloop/policies.yaml',
        ORACLE_MAX_MUTATIONS_PER_HOUR: '4',
        ORACLE_AUTO_ROLLBACK: 'false',
      }),
    ).toMatchObject({
      POLICIES_PATH: '/etc/metaloop/policies.yaml',
      ORACLE_MAX_MUTATIONS_PER_HOUR: 4,
      ORACLE_AUTO_ROLLBACK: false,
    });
  });

  it('reads the adapters’ variables as libs/adapters defines them, as the orchestrator does: the gates dry-run the adapters it executes', () => {
    const endpoints = {
      LORA_SERVER_URL: 'http://vllm:8000',
      LORA_SERVER_API_KEY: 'key',
      ROUTER_WEBHOOK_URL: 'https://router.example.com/hook',
      ROUTER_WEBHOOK_SECRET: 's3cret',
      SIDE_EFFECT_RETRIES: '1',
    };
    for (const raw of [{}, endpoints]) {
      const env = validateEnv(envSchema, { ...required, ...raw });
      const shared = z.object(adaptersEnv).parse(raw);
      expect(adapterOptionsFromEnv((name) => env[name])).toEqual(adapterOptionsFromEnv((name) => shared[name]));
    }
    expect(() =>
      validateEnv(envSchema, { ...required, ROUTER_WEBHOOK_URL: 'https://router.example.com/hook' }),
    ).toThrow(/ROUTER_WEBHOOK_SECRET: /);
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
