import type { z } from 'zod';
import { envSchema as feedbackApiEnv } from '../../../apps/feedback-api/src/config/env.schema';
import { envSchema as oracleApiEnv } from '../../../apps/oracle-api/src/config/env.schema';
import { envSchema as orchestratorEnv } from '../../../apps/orchestrator/src/config/env.schema';

type EnvSchema = z.ZodObject<Record<string, z.ZodType>>;

export interface AppSpec {
  name: 'feedback-api' | 'oracle-api' | 'orchestrator';
  envSchema: EnvSchema;
  /** The port the app listens on when PORT is not set (its env schema's default). */
  defaultPort: number;
  /** Variables without a default: a deployment must set them. */
  required: string[];
}

function app(name: AppSpec['name'], envSchema: EnvSchema): AppSpec {
  const required = Object.entries(envSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([key]) => key);
  return { name, envSchema, defaultPort: envSchema.shape['PORT']!.parse(undefined) as number, required };
}

/** The three apps with their env schemas, imported from the apps' sources (the one truth). */
export const APPS: readonly AppSpec[] = [
  app('feedback-api', feedbackApiEnv),
  app('oracle-api', oracleApiEnv),
  app('orchestrator', orchestratorEnv),
];

/** The health routes every app serves (libs/observability's HealthController). */
export const HEALTH_PATHS = { live: '/health/live', ready: '/health/ready' } as const;

/** Where each app's built entry point sits in the repository and in the image. */
export const entryPoint = (name: AppSpec['name']) => `apps/${name}/dist/main.js`;

/** oracle-api's insights and model settings that compose and k8s set to the env schema's defaults. */
export const ORACLE_SETTINGS_AT_DEFAULTS = [
  'REPORTS_EVERY_MINUTES',
  'REPORTS_PERIODS',
  'SUGGESTIONS_MODEL_KIND',
  'SUGGESTIONS_MODEL',
  'MEMORY_PERSONA_MODEL',
] as const;
