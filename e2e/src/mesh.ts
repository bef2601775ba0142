import {
  freePort,
  isolatedServiceEnv,
  scratchSchema,
  spawnApp,
  type AppProcess,
  type ScratchSchema,
} from '@metaloop/testing';

export const APPS = ['feedback-api', 'oracle-api', 'orchestrator'] as const;
export type AppName = (typeof APPS)[number];

/** The body of GET /health/ready. */
export interface ReadinessBody {
  status: 'ready' | 'not_ready';
  checks: Record<string, { status: 'up' | 'down'; reason?: string }>;
}

export interface Mesh {
  apps: Record<AppName, AppProcess>;
  schema: ScratchSchema;
  /** The environment every process of the mesh shares. */
  env: Record<string, string>;
  /** One more process of an app with the mesh's environment (a replica, or a restart after a kill). */
  spawn(name: AppName, overrides?: Record<string, string>): Promise<AppProcess>;
  stop(): Promise<void>;
}

/**
 * The three apps as processes on free ports, isolated by their own schema, NATS and Redis prefixes.
 * All three get the same environment, so an override such as POLICIES_PATH is every app's.
 */
export async function startMesh(suite: string, overrides: Partial<Record<string, string>> = {}): Promise<Mesh> {
  const schema = await scratchSchema(suite);
  const env: Record<string, string> = { ...isolatedServiceEnv(schema), ...(overrides as Record<string, string>) };
  const processes: AppProcess[] = [];
  const spawn = async (name: AppName, more: Record<string, string> = {}) => {
    const app = spawnApp(name, { ...env, ...more }, await freePort());
    processes.push(app);
    return app;
  };
  const entries = await Promise.all(APPS.map(async (name) => [name, await spawn(name)] as const));
  const apps = Object.fromEntries(entries) as Record<AppName, AppProcess>;
  return {
    apps,
    schema,
    env,
    spawn,
    stop: async () => {
      await Promise.all(processes.map((app) => app.stop()));
      await schema.drop();
    },
  };
}
