import { inSpan, startTracing, stopTracing } from '@metaloop/observability/tracing';
import { eventually } from '@metaloop/testing';
import { headers } from '@nats-io/transport-node';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { spanContextFromHeaders, traceHeaders } from './trace-headers';

describe('trace headers of JetStream messages', () => {
  it('add nothing while tracing is off', async () => {
    expect(traceHeaders()).toBeUndefined();
    const carrier = headers();
    carrier.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(spanContextFromHeaders(carrier)).toBeUndefined();
    await expect(inSpan('untraced', {}, () => Promise.resolve(traceHeaders()))).resolves.toBeUndefined();
  });

  describe('with tracing on', () => {
    const exporter = new InMemorySpanExporter();
    beforeAll(() =>
      startTracing({ serviceName: 'spec', endpoint: 'http://unused', sampleRatio: 1, exportDelayMs: 10, exporter }),
    );
    afterAll(() => stopTracing());

    it('carry the active span as traceparent, which the consumer reads back', async () => {
      const { sent, span } = await inSpan('publish', {}, (active) =>
        Promise.resolve({ sent: traceHeaders()!, span: active!.spanContext() }),
      );
      expect(sent.get('traceparent')).toBe(`00-${span.traceId}-${span.spanId}-01`);
      expect(spanContextFromHeaders(sent)).toEqual({ ...span, isRemote: true });
    });

    it('are absent outside any span, and a message without them names no span', () => {
      expect(traceHeaders()).toBeUndefined();
      expect(spanContextFromHeaders(undefined)).toBeUndefined();
      expect(spanContextFromHeaders(headers())).toBeUndefined();
    });

    it('continue the first sender and link the others (a batch of messages)', async () => {
      const senders = await Promise.all(
        ['a', 'b', 'c'].map((name) => inSpan(name, {}, () => Promise.resolve(spanContextFromHeaders(traceHeaders())))),
      );
      const [a, b, c] = senders;
      const id = await inSpan('consume', { from: [a, b, a, undefined, c] }, (span) =>
        Promise.resolve(span!.spanContext().spanId),
      );
      const consumed = await eventually(() => {
        const found = exporter.getFinishedSpans().find((s) => s.spanContext().spanId === id);
        expect(found).toBeDefined();
        return found!;
      });
      expect(consumed.spanContext().traceId).toBe(a!.traceId);
      expect(consumed.parentSpanContext?.spanId).toBe(a!.spanId);
      expect(consumed.links.map((link) => link.context.spanId)).toEqual([b!.spanId, c!.spanId]);
    });
  });
});
