import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { markTracingEnabled, tracingEnabled } from './trace-context';

export interface TracingOptions {
  /** `service.name` of every span. */
  serviceName: string;
  /** OTLP/HTTP base URL, e.g. http://collector:4318; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** Share of new traces kept (0–1); a trace begun elsewhere keeps its caller's choice. */
  sampleRatio: number;
  /** Finished spans are sent at most this long after they end. */
  exportDelayMs: number;
  /** Where spans go instead of OTLP (specs keep them in memory). */
  exporter?: SpanExporter;
}

/** The settings of the base env schema (`OTEL_*`); no endpoint: tracing stays off. */
export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_TRACES_SAMPLER_ARG: number;
  OTEL_BSP_SCHEDULE_DELAY: number;
}

let stop: (() => Promise<void>) | undefined;

/**
 * Starts OpenTelemetry for this process: must run before http, pg and ioredis are first
 * required (each app's main.ts imports its `tracing.ts` first). Without an endpoint it does
 * nothing and loads nothing.
 */
export function startTracing(options: TracingOptions): void {
  if (tracingEnabled()) return;
  // Required here, not imported: the SDK and instrumentations load only when tracing is on.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  stop = startSdk(options);
  markTracingEnabled(true);
}

/**
 * The preload of an app: validates its environment with the app's own schema (nothing else
 * reads it) and starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set. A bad environment is
 * left to the app's start, which names the variables.
 */
export function startTracingFromEnv(
  app: string,
  schema: { safeParse(env: unknown): { success: boolean; data?: unknown } },
  env: NodeJS.ProcessEnv,
): void {
  const parsed = schema.safeParse(env);
  if (!parsed.success) return;
  const settings = parsed.data as TracingEnv;
  if (!settings.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  startTracing({
    serviceName: settings.OTEL_SERVICE_NAME || app,
    endpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT,
    sampleRatio: settings.OTEL_TRACES_SAMPLER_ARG,
    exportDelayMs: settings.OTEL_BSP_SCHEDULE_DELAY,
  });
}

/** Sends the spans still buffered and stops (graceful shutdown); nothing when tracing is off. */
export async function stopTracing(): Promise<void> {
  const stopping = stop;
  stop = undefined;
  markTracingEnabled(false);
  await stopping?.();
}
