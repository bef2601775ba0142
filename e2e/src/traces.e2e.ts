import { eventually, freePort } from '@metaloop/testing';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { APPS, startMesh, type Mesh } from './mesh';
import { fastPolicyFile, registerAgent, sql } from './rollout-driver';

/** One exported span, as the OTLP/HTTP JSON encoding gives it (ids in hex). */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  links: Array<{ traceId: string; spanId: string }>;
  attributes: Record<string, unknown>;
}

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        links?: Array<{ traceId: string; spanId: string }>;
        attributes?: OtlpAttribute[];
      }>;
    }>;
  }>;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

const valueOf = (v: OtlpAttribute['value']) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;

/** An OTLP/HTTP receiver in this process: what the apps export, decoded (the JSON encoding). */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server?: Server;

  async listen(port: number): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces')
          this.receive(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Traces `traceId` reaches: itself, and every trace with a span linking into a trace reached. */
  reachedFrom(traceId: string): Set<string> {
    const reached = new Set([traceId]);
    for (let grew = true; grew;) {
      grew = false;
      for (const span of this.spans) {
        if (reached.has(span.traceId) || !span.links.some((link) => reached.has(link.traceId))) continue;
        reached.add(span.traceId);
        grew = true;
      }
    }
    return reached;
  }

  find(service: string, name: string, traces: Set<string>): ReceivedSpan | undefined {
    return this.spans.find((s) => s.service === service && s.name === name && traces.has(s.traceId));
  }

  private receive(body: OtlpExport): void {
    for (const resource of body.resourceSpans ?? []) {
      const service = String(
        valueOf(resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value ?? {}) ?? '',
      );
      for (const scope of resource.scopeSpans ?? [])
        for (const span of scope.spans ?? [])
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            links: (span.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
            attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
          });
    }
  }
}

/** A trace this test starts, as a caller would: W3C traceparent on its request. */
function callerTrace(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * The three apps export OTLP to a receiver in this process. A feedback request's trace reaches
 * oracle-api's ingest transaction (through the JetStream message's traceparent and the
 * group-commit and batch links), and a tick's trace reaches the orchestrator's rollout start
 * (through the BullMQ job), whose decision row names the trace.
 */
describe('OpenTelemetry traces across the mesh', () => {
  const receiver = new OtlpReceiver();
  let mesh: Mesh;

  beforeAll(async () => {
    const port = await freePort();
    await receiver.listen(port);
    mesh = await startMesh('traces', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      POLICIES_PATH: fastPolicyFile(),
      TICK_INTERVAL_MINUTES: '0',
    });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
  }, 90_000);

  afterAll(async () => {
    await mesh?.stop();
    await receiver.close();
  });

  it("carries one feedback request's trace into the ingest transaction", async () => {
    const feedback = mesh.apps['feedback-api'].url;
    const caller = callerTrace();
    const response = await post(
      `${feedback}/api/v1/feedback/collect`,
      { agent_id: 'traced_agent', session_id: 's-traced', explicit: { rating: 5, helpful: true } },
      { traceparent: caller.traceparent },
    );
    expect(response.status).toBe(202);
    const { event_id } = (await response.json()) as { event_id: string };
    await eventually(async () =>
      expect(await sql(mesh, 'SELECT 1 FROM feedback_events WHERE event_id = $1', [event_id])).toHaveLength(1),
    );

    const transaction = await eventually(() => {
      const reached = receiver.reachedFrom(caller.traceId);
      const found = receiver.find('oracle-api', 'ingest transaction', reached);
      expect(found).toBeDefined();
      return found!;
    }, 20_000);
    // Spans are exported in batches as they end, so a parent may arrive after its child: each check waits.
    await eventually(() => {
      // The request itself is a server span of feedback-api in the caller's trace, named by its route.
      const inCallerTrace = receiver.spans.filter((s) => s.service === 'feedback-api' && s.traceId === caller.traceId);
      expect(inCallerTrace.map((s) => s.name)).toContain('POST /api/v1/feedback/collect');
      const publish = receiver.spans.find(
        (s) =>
          s.name === 'feedback publish' &&
          (s.traceId === caller.traceId || s.links.some((l) => l.traceId === caller.traceId)),
      );
      expect(publish).toMatchObject({ service: 'feedback-api' });
      // The transaction is the child of the ingest batch, and Postgres' statements are under it.
      const batch = receiver.spans.find((s) => s.spanId === transaction.parentSpanId);
      expect(batch).toMatchObject({ service: 'oracle-api', name: 'ingest batch' });
    });
    await eventually(() =>
      expect(
        receiver.spans.some((s) => s.parentSpanId === transaction.spanId && s.traceId === transaction.traceId),
      ).toBe(true),
    );
  });

  it("carries one tick's trace through the BullMQ job to the orchestrator's rollout start", async () => {
    const agentId = 'traced_unhappy';
    await registerAgent(mesh, agentId);
    // Unhappy users (mean rating 1.5 over 40 ratings): a dissatisfaction finding the v2 candidate answers.
    const events = Array.from({ length: 40 }, (_, i) => ({
      agent_id: agentId,
      session_id: `u${i}`,
      explicit: { rating: 1 + (i % 2), helpful: false },
      implicit: { success: false, response_time_ms: 300 },
    }));
    expect((await post(`${mesh.apps['feedback-api'].url}/api/v1/feedback/collect/bulk`, { events })).status).toBe(202);
    await eventually(async () =>
      expect(await sql(mesh, 'SELECT 1 FROM feedback_events WHERE agent_id = $1', [agentId])).toHaveLength(
        events.length,
      ),
    );

    const caller = callerTrace();
    const tick = await post(
      `${mesh.apps['oracle-api'].url}/api/v1/oracle/tick`,
      {},
      { traceparent: caller.traceparent },
    );
    const result = (await tick.json()) as { plans: Array<{ agent_id: string; status: string }> };
    expect(result.plans).toEqual([expect.objectContaining({ agent_id: agentId, status: 'queued' })]);

    const names = (service: string) =>
      receiver.spans.filter((s) => s.service === service && s.traceId === caller.traceId).map((s) => s.name);
    // A span is exported when it ends, in batches: the parents of `rollout start` may come a batch later.
    const start = await eventually(() => {
      expect(names('oracle-api')).toEqual(
        expect.arrayContaining(['POST /api/v1/oracle/tick', 'oracle tick', 'tick analyze', 'tick execute']),
      );
      expect(names('orchestrator')).toEqual(
        expect.arrayContaining(['plan execute', 'rollout launch', 'adapter apply PROMPT_PATCH', 'rollout start']),
      );
      return receiver.spans.find(
        (s) => s.service === 'orchestrator' && s.name === 'rollout start' && s.traceId === caller.traceId,
      )!;
    }, 20_000);
    // The rollout's start decision names the trace that made it.
    const [decision] = await sql<{ trace_id: string }>(
      mesh,
      `SELECT d.statistics->>'trace_id' AS trace_id FROM rollout_decisions d JOIN rollouts r ON r.id = d.rollout_id
        WHERE r.agent_id = $1 AND d.action = 'start'`,
      [agentId],
    );
    expect(decision).toEqual({ trace_id: caller.traceId });
    const rolloutId = start.attributes['metaloop.rollout_id'] as string;

    // An operator's rollback: its decision row names the trace of the request that made it.
    const operator = callerTrace();
    const rollback = await post(
      `${mesh.apps['oracle-api'].url}/api/v1/oracle/rollback`,
      { rollout_id: rolloutId, emergency: false, reason: 'traces e2e' },
      { traceparent: operator.traceparent },
    );
    expect(rollback.status).toBe(200);
    const rolledBack = await sql<{ trace_id: string }>(
      mesh,
      `SELECT statistics->>'trace_id' AS trace_id FROM rollout_decisions WHERE rollout_id = $1 AND action = 'rollback'`,
      [rolloutId],
    );
    expect(rolledBack).toEqual([{ trace_id: operator.traceId }]);
  });
});
