// `@metaloop/observability/tracing`: light enough to load before anything it instruments (the
// library's main entry loads Nest and node:http).
export {
  activeSpanContext,
  activeTraceId,
  currentTraceCarrier,
  extractSpanContext,
  injectTraceContext,
  inSpan,
  MAX_LINKS,
  spanContextOf,
  traceField,
  tracingEnabled,
  type CarrierAccess,
  type SpanStart,
  type TraceCarrier,
} from './trace-context';
export { nameServerSpansByRoute } from './route-names';
export { startTracing, startTracingFromEnv, stopTracing, type TracingEnv, type TracingOptions } from './start-tracing';
export { SpanKind, type Context, type Span, type SpanContext } from '@opentelemetry/api';
