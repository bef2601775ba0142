import {
  extractSpanContext,
  injectTraceContext,
  tracingEnabled,
  type CarrierAccess,
  type Context,
  type SpanContext,
} from '@metaloop/observability/tracing';
import { headers, type MsgHdrs } from '@nats-io/transport-node';

/** NATS headers answer "" for a missing key; the trace helpers expect undefined. */
const natsHeaders: CarrierAccess<MsgHdrs> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  set: (carrier, key, value) => carrier.set(key, value),
};

/**
 * Message headers carrying the active span (or `ctx`'s) as W3C `traceparent`/`tracestate`, for a
 * JetStream publish; undefined when nothing is traced, so an untraced message has no headers.
 */
export function traceHeaders(ctx?: Context): MsgHdrs | undefined {
  if (!tracingEnabled()) return undefined;
  const carrier = headers();
  return injectTraceContext(carrier, natsHeaders, ctx) ? carrier : undefined;
}

/** The span a received message's headers name (its publisher's), or undefined. */
export function spanContextFromHeaders(carrier: MsgHdrs | undefined): SpanContext | undefined {
  if (!carrier || !tracingEnabled()) return undefined;
  return extractSpanContext(carrier, natsHeaders);
}
