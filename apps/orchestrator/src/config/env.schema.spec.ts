import { adapterOptionsFromEnv, adaptersEnv } from '@metaloop/adapters';
import { validateEnv } from '@metaloop/config';
import { z } from 'zod';
import { envSchema } from './env.schema';

const required = {
  DATABASE_URL: 'postgresql://localhost/m',
  NATS_URL: 'nats://localhost:4222',
  REDIS_URL: 'redis://localhost:6379',
};

describe('orchestrator env', () => {
  it('needs Postgres, NATS and Redis and listens on 8093 by default', () => {
    const env = validateEnv(envSchema, required);
    expect(env).toMatchObject({ PORT: 8093, REDIS_PREFIX: 'metaloop', MIGRATE_ON_START: true });
  });

  it('reads seed 004’s policy overrides and names a wrong one', () => {
    expect(
      validateEnv(envSchema, { ...required, CANARY_DEPLOYMENT_PERCENT: '10', REQUIRE_APPROVAL_FOR_HIGH_RISK: 'true' }),
    ).toMatchObject({
      CANARY_DEPLOYMENT_PERCENT: 10,
      REQUIRE_APPROVAL_FOR_HIGH_RISK: true,
      POLICIES_POLL_INTERVAL_MS: 5_000,
    });
    expect(() => validateEnv(envSchema, { ...required, ORACLE_AUTO_ROLLBACK: 'sometimes' })).toThrow(
      /ORACLE_AUTO_ROLLBACK: /,
    );
  });

  it('reads the adapters’ variables as libs/adapters defines them, as oracle-api does: its gates dry-run the adapters executed here', () => {
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

  it('names each missing variable', () => {
    expect(() => validateEnv(envSchema, {})).toThrow(/DATABASE_URL: .*\n.*NATS_URL: .*\n.*REDIS_URL: /);
  });
});
