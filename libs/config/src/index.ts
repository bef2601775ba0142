export { EnvValidationError, envValidator, validateEnv } from './env';
export {
  baseEnvSchema,
  envBoolean,
  int,
  natsEnv,
  natsServers,
  port,
  postgresEnv,
  postgresUrl,
  redisEnv,
  redisUrl,
  type BaseEnv,
} from './common-env';
