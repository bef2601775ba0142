// Loaded only when tracing is on (start-tracing.ts requires it lazily): with no endpoint set,
// none of the SDK, its exporter or the instrumentations is ever loaded.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import type { IncomingMessage } from 'node:http';
import type { TracingOptions } from './start-tracing';

/** Probes and scrapes would bury the traces that matter. */
const UNTRACED_PATHS = /^\/(health\/|metrics|docs)/;

/** Registers the tracer provider (W3C propagation, AsyncLocalStorage context) and the instrumentations. */
export function startSdk(options: TracingOptions): () => Promise<void> {
  const exporter =
    options.exporter ?? new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.namespace': 'metaloop',
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs })],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
        // Outgoing calls (adapters' side effects, webhooks) only as part of something traced.
        requireParentforOutgoingSpans: true,
      }),
      // fetch(): adapters' side effects, webhooks, embedders.
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // BullMQ polls Redis and the pools ping Postgres all the time: only calls made for traced work.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return async () => {
    unregister();
    await provider.shutdown();
  };
}
