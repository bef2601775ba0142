import { ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import {
  activeSpanContext,
  activeTraceId,
  currentTraceCarrier,
  extractSpanContext,
  injectTraceContext,
  inSpan,
  markTracingEnabled,
  spanContextOf,
  traceField,
  type CarrierAccess,
} from './trace-context';

const remote: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};
const inRemote = trace.setSpanContext(ROOT_CONTEXT, remote);

/** A carrier that is not a record, as NATS headers are not. */
class Headers {
  readonly values = new Map<string, string>();
}
const headerAccess: CarrierAccess<Headers> = {
  get: (carrier, key) => carrier.values.get(key),
  set: (carrier, key, value) => void carrier.values.set(key, value),
};

describe('trace context helpers', () => {
  afterEach(() => markTracingEnabled(false));

  it('writes the span of a context as a W3C traceparent and reads it back', () => {
    const carrier = new Headers();
    expect(injectTraceContext(carrier, headerAccess, inRemote)).toBe(true);
    expect(carrier.values.get('traceparent')).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(extractSpanContext(carrier, headerAccess)).toEqual({ ...remote, isRemote: true });
  });

  it('carries tracestate with the traceparent', () => {
    const carrier = new Headers();
    carrier.values.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    carrier.values.set('tracestate', 'vendor=a1');
    const extracted = extractSpanContext(carrier, headerAccess)!;
    expect(extracted.traceFlags).toBe(TraceFlags.NONE);
    const again = new Headers();
    injectTraceContext(again, headerAccess, trace.setSpanContext(ROOT_CONTEXT, extracted));
    expect(again.values.get('tracestate')).toBe('vendor=a1');
  });

  it('writes nothing without a span, and reads nothing from an absent or malformed header', () => {
    const carrier = new Headers();
    expect(injectTraceContext(carrier, headerAccess, ROOT_CONTEXT)).toBe(false);
    expect(carrier.values.size).toBe(0);
    expect(extractSpanContext(carrier, headerAccess)).toBeUndefined();
    for (const bad of ['00-xyz-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '']) {
      carrier.values.set('traceparent', bad);
      expect(extractSpanContext(carrier, headerAccess)).toBeUndefined();
    }
    expect(spanContextOf(undefined)).toBeUndefined();
    expect(spanContextOf({ traceparent: 'nonsense' })).toBeUndefined();
  });

  it('turns job data carriers into span contexts', () => {
    expect(spanContextOf({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toEqual(remote);
  });

  it('with tracing off: no carrier, no trace id, and inSpan only runs the work', async () => {
    expect(currentTraceCarrier(inRemote)).toBeUndefined();
    expect(activeTraceId(inRemote)).toBeUndefined();
    expect(activeSpanContext(inRemote)).toBeUndefined();
    await expect(inSpan('x', {}, (span) => Promise.resolve(span))).resolves.toBeUndefined();
  });

  it('with tracing on: the active span as a job data carrier and its trace id', () => {
    markTracingEnabled(true);
    expect(currentTraceCarrier(inRemote)).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(activeTraceId(inRemote)).toBe(remote.traceId);
    expect(activeSpanContext(inRemote)).toEqual(remote);
    expect(currentTraceCarrier(ROOT_CONTEXT)).toBeUndefined();
    expect(traceField(inRemote)).toEqual({
      trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(traceField(ROOT_CONTEXT)).toEqual({});
  });
});
