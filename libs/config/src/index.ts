export { EnvValidationError, envValidator, validateEnv } from './env';
export { baseEnvSchema, envBoolean, int, natsEnv, port, postgresEnv, postgresUrl, redisEnv } from './common-env';
