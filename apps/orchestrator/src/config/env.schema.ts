import { baseEnvSchema, natsEnv, port, postgresEnv, redisEnv } from '@metaloop/config';
import { policiesEnv } from '@metaloop/policies';
import type { z } from 'zod';

/** orchestrator: BullMQ workers for plan execution, canary monitoring, promotion and rollback. */
export const envSchema = baseEnvSchema.extend({ PORT: port(8093), ...postgresEnv, ...natsEnv, ...redisEnv, ...policiesEnv });

export type Env = z.infer<typeof envSchema>;
