import { QUEUES } from '@metaloop/contracts';
import { bullmqConnection } from '@metaloop/messaging';
import {
  freePort,
  scratchSchema,
  spawnApp,
  startNatsServer,
  startRedisServer,
  type AppProcess,
  type ScratchSchema,
  type TestNatsServer,
  type TestRedisServer,
} from '@metaloop/testing';
import { Queue } from 'bullmq';
import { APPS, type AppName } from '../mesh';

/** oracle-api's job schedulers (apps/oracle-api: loop/tick/tick.scheduler.ts, housekeeping/retention). */
export const SCHEDULES = [
  { queue: QUEUES.oracle, id: 'oracle-tick' },
  { queue: QUEUES.maintenance, id: 'retention-purge' },
] as const;

/**
 * The three apps with a NATS (JetStream on a store directory), a Redis (no persistence) and a
 * Postgres schema of their own, so any of them can be killed without touching other suites.
 * Each app keeps its port across restarts.
 */
export interface ChaosCluster {
  schema: ScratchSchema;
  nats: TestNatsServer;
  redis: TestRedisServer;
  env: Record<string, string>;
  app(name: AppName): AppProcess;
  /** kill -9 the app, then start it again on the same port and wait until it is ready. */
  restart(name: AppName, downMs: number): Promise<void>;
  ready(): Promise<void>;
  /** The oracle-api job schedulers missing from Redis right now. */
  missingSchedules(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startChaosCluster(overrides: Record<string, string>): Promise<ChaosCluster> {
  const schema = await scratchSchema('chaos');
  const nats = await startNatsServer();
  const redis = await startRedisServer();
  const env: Record<string, string> = {
    DATABASE_URL: schema.url,
    NATS_URL: nats.url,
    NATS_PREFIX: schema.schema,
    REDIS_URL: redis.url,
    REDIS_PREFIX: schema.schema,
    ...overrides,
  };
  const ports = Object.fromEntries(await Promise.all(APPS.map(async (name) => [name, await freePort()] as const)));
  const apps = new Map<AppName, AppProcess>();
  const spawn = (name: AppName) => {
    const app = spawnApp(name, env, ports[name]!);
    apps.set(name, app);
    return app;
  };
  const queues = SCHEDULES.map(
    ({ queue, id }) =>
      [
        id,
        new Queue(queue, { connection: bullmqConnection(redis.url, 'chaos-check'), prefix: schema.schema }),
      ] as const,
  );
  for (const [, queue] of queues) queue.on('error', () => undefined);
  const ready = async () => {
    await Promise.all([...apps.values()].map((app) => app.waitForReady(60_000)));
  };
  APPS.forEach(spawn);

  return {
    schema,
    nats,
    redis,
    env,
    app: (name) => apps.get(name)!,
    restart: async (name, downMs) => {
      await apps.get(name)!.stop('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await spawn(name).waitForReady(60_000);
    },
    ready,
    missingSchedules: async () => {
      const missing: string[] = [];
      for (const [id, queue] of queues) if (!(await queue.getJobScheduler(id))) missing.push(id);
      return missing;
    },
    stop: async () => {
      await Promise.all([...apps.values()].map((app) => app.stop('SIGKILL')));
      await Promise.all(queues.map(([, queue]) => queue.close().catch(() => undefined)));
      await Promise.all([nats.dispose(), redis.dispose()]);
      await schema.drop();
    },
  };
}
