import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testEnv } from './test-env';

/**
 * A name unique to this run of this suite (`<suite>_<random>`), usable as a Postgres schema,
 * NATS prefix and Redis key prefix, so suites run in parallel and reruns never collide.
 */
export function isolationId(suite: string): string {
  const clean = suite
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 24);
  return `t_${clean}_${randomBytes(4).toString('hex')}`;
}

export interface ScratchSchema {
  schema: string;
  /** DATABASE_URL with `?schema=`, as the apps take it. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty Postgres schema in the test database; `drop()` removes it with everything in it. */
export async function scratchSchema(suite: string): Promise<ScratchSchema> {
  const schema = isolationId(suite);
  const url = new URL(testEnv.TEST_DATABASE_URL);
  url.searchParams.set('schema', schema);
  await withClient((client) => client.query(`CREATE SCHEMA "${schema}"`));
  return {
    schema,
    url: url.toString(),
    drop: () => withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined),
  };
}

export async function withClient<T>(
  fn: (client: Client) => Promise<T>,
  databaseUrl = testEnv.TEST_DATABASE_URL,
): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * What an app needs to run against the test services inside a scratch schema: its database URL,
 * and the schema's name as NATS prefix and Redis key prefix.
 */
export function isolatedServiceEnv(schema: Pick<ScratchSchema, 'schema' | 'url'>): Record<string, string> {
  return {
    DATABASE_URL: schema.url,
    NATS_URL: testEnv.TEST_NATS_URL,
    NATS_PREFIX: schema.schema,
    REDIS_URL: testEnv.TEST_REDIS_URL,
    REDIS_PREFIX: schema.schema,
  };
}
