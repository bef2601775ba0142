import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { natsTopology } from '@metaloop/contracts';
import { connectJetStream } from '@metaloop/messaging';
import {
  deleteRedisKeys,
  freePort,
  isolatedServiceEnv,
  scratchSchema,
  spawnApp,
  testEnv,
  WORKSPACE_ROOT,
  type AppProcess,
  type ScratchSchema,
} from '@metaloop/testing';
import { APPS, type AppName } from '../mesh';

const run = promisify(execFile);

export interface KeyedMesh {
  apps: Record<AppName, AppProcess>;
  schema: ScratchSchema;
  /** An API key with the admin scope; the apps enforce keys from their start (one is active). */
  adminKey: string;
  /** What JetStream still holds for oracle-api's ingest (pending or unacknowledged) and how many dead letters there are. */
  ingestBacklog(): Promise<{ pending: number; deadLetters: number }>;
  stop(): Promise<void>;
}

/**
 * The three apps with API keys enforced: the scratch schema is migrated and an admin key
 * created with the project's own CLIs (`db:migrate`, `keys:create`) before any app starts, so
 * every app counts one active key at boot and enforces from its first request. Isolated as
 * every e2e mesh: own schema, NATS prefix and Redis prefix, all removed by stop().
 */
export async function startKeyedMesh(suite: string, overrides: Record<string, string> = {}): Promise<KeyedMesh> {
  const schema = await scratchSchema(suite);
  const env = { ...isolatedServiceEnv(schema), ...overrides };
  const cli = (path: string, args: string[] = []) =>
    run(process.execPath, [join(WORKSPACE_ROOT, path), ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: schema.url },
    });
  await cli('libs/db/dist/migrate-cli.js');
  const created = await cli('libs/auth/dist/create-key-cli.js', ['--name', 'fuzz', '--scopes', 'admin']);
  const adminKey = /\b(mlk_[a-z0-9]{8}_[A-Za-z0-9_-]{43})\b/.exec(created.stdout)?.[1];
  if (!adminKey) throw new Error(`keys:create printed no key:\n${created.stdout}\n${created.stderr}`);

  const entries = await Promise.all(APPS.map(async (name) => [name, spawnApp(name, env, await freePort())] as const));
  const apps = Object.fromEntries(entries) as Record<AppName, AppProcess>;
  return {
    apps,
    schema,
    adminKey,
    ingestBacklog: async () => {
      const js = await connectJetStream({
        servers: testEnv.TEST_NATS_URL,
        name: `${suite}-backlog`,
        prefix: schema.schema,
      });
      try {
        const { stream, config } = js.topology.consumers.ingest;
        const consumer = await js.jsm.consumers.info(stream, config.durable_name);
        const dlq = await js.jsm.streams.info(js.topology.streams.deadLetters.name);
        return { pending: consumer.num_pending + consumer.num_ack_pending, deadLetters: dlq.state.messages };
      } finally {
        await js.nc.close();
      }
    },
    stop: async () => {
      await Promise.all(Object.values(apps).map((app) => app.stop()));
      const js = await connectJetStream({
        servers: testEnv.TEST_NATS_URL,
        name: `${suite}-cleanup`,
        prefix: schema.schema,
      });
      for (const stream of Object.values(natsTopology({ prefix: schema.schema }).streams)) {
        await js.jsm.streams.delete(stream.name).catch(() => undefined);
      }
      await js.nc.close();
      await deleteRedisKeys(schema.schema);
      await schema.drop();
    },
  };
}
