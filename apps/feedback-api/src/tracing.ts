// Imported first by main.ts: OpenTelemetry must start before http, pg and ioredis load.
import { startTracingFromEnv } from '@metaloop/observability/tracing';
import { envSchema } from './config/env.schema';

startTracingFromEnv('feedback-api', envSchema, process.env);
