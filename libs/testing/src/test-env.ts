import { z } from 'zod';

/** Where the real services of the test run are; defaults match a developer machine and CI. */
export const testEnv = z
  .object({
    TEST_DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/test'),
    TEST_NATS_URL: z.string().default('nats://127.0.0.1:4222'),
    TEST_REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
    NATS_SERVER_BIN: z.string().default('nats-server'),
    REDIS_SERVER_BIN: z.string().default('/usr/bin/redis-server'),
    /** true in CI (.ci/run sets it): a test that needs a missing system binary fails instead of skipping. */
    CI: z
      .string()
      .optional()
      .transform((value) => value === 'true' || value === '1'),
  })
  .parse(process.env);
