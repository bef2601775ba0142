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
  /** The running process of each app (a restart replaces it). */
  apps: Record<AppName, AppProcess>;
  schema: ScratchSchema;
  nats: TestNatsServer;
  redis: TestRedisServer;
  env: Record<string, string>;
  app(name: AppName): AppProcess;
  /** kill -9 the app, then start it again on the same port and wait until it is ready. */
  restart(name: AppName, downMs: number): Promise<void>;
  ready(): Promise<void>;
  /** oracle-api's job schedulers and those added by expectSchedule that are missing from Redis right now. */
  missingSchedules(): Promise<string[]>;
  /** A job scheduler that must be in Redis from now on (e.g. a rollout's monitor schedule). */
  expectSchedule(queue: string, id: string): void;
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
  const queues: Array<readonly [string, Queue]> = [];
  const expectSchedule = (name: string, id: string) => {
    const queue = new Queue(name, { connection: bullmqConnection(redis.url, 'chaos-check'), prefix: schema.schema });
    queue.on('error', () => undefined);
    queues.push([id, queue]);
  };
  for (const { queue, id } of SCHEDULES) expectSchedule(queue, id);
  const ready = async () => {
    await Promise.all([...apps.values()].map((app) => app.waitForReady(60_000)));
  };
  APPS.forEach(spawn);
  const current = {} as Record<AppName, AppProcess>;
  for (const name of APPS) Object.defineProperty(current, name, { get: () => apps.get(name)!, enumerable: true });

  return {
    apps: current,
    schema,
    nats,
    redis,
    env,
    app: (name) => apps.get(name)!,
    expectSchedule,
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
