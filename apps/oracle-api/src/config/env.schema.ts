import { baseEnvSchema, natsEnv, port, postgresEnv, redisEnv } from '@metaloop/config';
import type { z } from 'zod';

/** oracle-api: the control plane (ingest, registry, analysis, planning, gates, tick). */
export const envSchema = baseEnvSchema.extend({ PORT: port(8092), ...postgresEnv, ...natsEnv, ...redisEnv });

export type Env = z.infer<typeof envSchema>;
