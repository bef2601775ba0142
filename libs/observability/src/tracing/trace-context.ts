import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context as plain data, for carriers no instrumentation knows: JetStream message
 * headers, BullMQ job data.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** Reads and writes a carrier of header-like pairs (a record, NATS headers, …). */
export interface CarrierAccess<C> {
  get(carrier: C, key: string): string | undefined;
  set(carrier: C, key: string, value: string): void;
}

/** The wire format is W3C trace context whatever propagator the SDK registers. */
const w3c = new W3CTraceContextPropagator();
const TRACER_NAME = 'metaloop';

let enabled = false;

/** Whether this process exports traces (startTracing ran); when not, the helpers do nothing at all. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** Called by startTracing once the SDK is registered. */
export function markTracingEnabled(on: boolean): void {
  enabled = on;
}

const recordAccess: CarrierAccess<Record<string, string | undefined>> = {
  get: (carrier, key) => carrier[key],
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

function getter<C>(access: CarrierAccess<C>): TextMapGetter<C> {
  return { get: (carrier, key) => access.get(carrier, key) || undefined, keys: () => ['traceparent', 'tracestate'] };
}

function setter<C>(access: CarrierAccess<C>): TextMapSetter<C> {
  return { set: (carrier, key, value) => access.set(carrier, key, value) };
}

/** Writes the span of `ctx` (default: the active one) into `carrier`; false when there is no span to carry. */
export function injectTraceContext<C>(carrier: C, access: CarrierAccess<C>, ctx: Context = context.active()): boolean {
  const span = trace.getSpanContext(ctx);
  if (!span || !isSpanContextValid(span)) return false;
  w3c.inject(ctx, carrier, setter(access));
  return true;
}

/** The active span as a carrier for job data, or undefined when nothing is traced. */
export function currentTraceCarrier(ctx: Context = context.active()): TraceCarrier | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string | undefined> = {};
  if (!injectTraceContext(carrier, recordAccess, ctx)) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent!, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent! };
}

/** `{ trace }` with the active span's carrier, or nothing when untraced: spread into a job's data. */
export function traceField(ctx: Context = context.active()): { trace?: TraceCarrier } {
  const trace = currentTraceCarrier(ctx);
  return trace ? { trace } : {};
}

/** The remote span a carrier names, or undefined when it names none (absent, malformed). */
export function extractSpanContext<C>(carrier: C, access: CarrierAccess<C>): SpanContext | undefined {
  const span = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, carrier, getter(access)));
  return span && isSpanContextValid(span) ? span : undefined;
}

/** The same for job data's carrier. */
export function spanContextOf(carrier: Partial<TraceCarrier> | undefined): SpanContext | undefined {
  if (!carrier?.traceparent) return undefined;
  return extractSpanContext(carrier as Record<string, string | undefined>, recordAccess);
}

/** The id of the active trace, for rows that should name it (a rollout decision); undefined when nothing is traced. */
export function activeTraceId(ctx: Context = context.active()): string | undefined {
  if (!enabled) return undefined;
  const span = trace.getSpanContext(ctx);
  return span && isSpanContextValid(span) ? span.traceId : undefined;
}

/** The active span's context, to link to later (a group-commit message links the requests it answers). */
export function activeSpanContext(ctx: Context = context.active()): SpanContext | undefined {
  if (!enabled) return undefined;
  const span = trace.getSpanContext(ctx);
  return span && isSpanContextValid(span) ? span : undefined;
}

export interface SpanStart extends SpanOptions {
  /**
   * Remote spans this work continues: the first becomes the parent, the others links (a batch
   * answers many senders). Without any, the span is a child of the active one.
   */
  from?: ReadonlyArray<SpanContext | undefined>;
  /** Errors that are an outcome, not a failure (a stage with nothing to do): the span stays OK. */
  expected?: (error: unknown) => boolean;
}

/** Links beyond this are dropped: a group-commit message may answer hundreds of requests. */
export const MAX_LINKS = 128;

/**
 * Runs `work` inside a span that ends with it (an error is recorded on it and rethrown). With
 * tracing off it only calls `work`: no span, no context switch.
 */
export function inSpan<T>(name: string, start: SpanStart, work: (span?: Span) => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const { from, expected, ...options } = start;
  const remote = (from ?? []).filter((s): s is SpanContext => s !== undefined);
  let parent = context.active();
  const links: Link[] = [...(options.links ?? [])];
  if (remote.length > 0) {
    parent = trace.setSpanContext(ROOT_CONTEXT, remote[0]!);
    const seen = new Set([remote[0]!.spanId]);
    for (const span of remote.slice(1)) {
      if (links.length >= MAX_LINKS) break;
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      links.push({ context: span });
    }
  }
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { ...options, links }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      if (!expected?.(error)) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
