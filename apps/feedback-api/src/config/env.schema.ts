import { baseEnvSchema, natsEnv, port, postgresEnv } from '@metaloop/config';
import type { z } from 'zod';

/** feedback-api: the agent-facing data plane (feedback in, live config out). */
export const envSchema = baseEnvSchema.extend({ PORT: port(8091), ...postgresEnv, ...natsEnv });

export type Env = z.infer<typeof envSchema>;
