import { startTracingFromEnv, stopTracing, type TracingEnv } from './start-tracing';
import { tracingEnabled } from './trace-context';

/** A stand-in for an app's env schema: it accepts what it is given, or refuses everything. */
const schema = (valid: boolean) => ({
  safeParse: (env: unknown) =>
    valid
      ? { success: true, data: { OTEL_TRACES_SAMPLER_ARG: 1, OTEL_BSP_SCHEDULE_DELAY: 5_000, ...(env as object) } }
      : { success: false },
});

describe('startTracingFromEnv', () => {
  afterEach(() => stopTracing());

  it('starts nothing without an endpoint', () => {
    startTracingFromEnv('app', schema(true), {});
    expect(tracingEnabled()).toBe(false);
  });

  it('leaves a bad environment to the app start, which names the variables', () => {
    startTracingFromEnv('app', schema(false), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(tracingEnabled()).toBe(false);
  });

  it('starts the SDK with an endpoint, and stops it (flushing) at shutdown', async () => {
    const env: Partial<TracingEnv> = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    startTracingFromEnv('app', schema(true), env as NodeJS.ProcessEnv);
    expect(tracingEnabled()).toBe(true);
    await stopTracing();
    expect(tracingEnabled()).toBe(false);
  });
});
