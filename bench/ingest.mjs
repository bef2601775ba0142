// npm run bench:ingest — feedback ingestion throughput against its two baselines, then a
// check that Postgres holds exactly the events that were answered 202 (none lost, none doubled).
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import messaging from '@metaloop/messaging';
import tracingHelpers from '@metaloop/observability/tracing';
import {
  isolation,
  load,
  SERVICES,
  sleep,
  sql,
  startApp,
  startBaselines,
  startOtlpSink,
  table,
  withServerCpu,
} from './lib/harness.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BULK_EVENTS = Number(process.env.BENCH_BULK_EVENTS ?? 500);
const BULK_CONNECTIONS = Number(process.env.BENCH_BULK_CONNECTIONS ?? 8);
const event = {
  agent_id: 'helpful_assistant',
  session_id: 'user_123_session',
  explicit: { rating: 4.5, helpful: true },
  implicit: { response_time_ms: 250, success_rate: 0.95 },
};
const single = JSON.stringify(event);
const bulk = JSON.stringify({
  events: Array.from({ length: BULK_EVENTS }, (_, i) => ({ ...event, session_id: `s${i}` })),
});

const iso = await isolation('ingest');
const env = iso.env;
const nc = await connect({ servers: SERVICES.nats });
const jsm = await jetstreamManager(nc);
const stopAll = [];
try {
  const baselines = await startBaselines(iso.id);
  stopAll.push(baselines.stop);
  console.log(`baselines ready; ${SECONDS} s per run, ${CONNECTIONS} connections`);
  const bare = await withServerCpu(baselines.pid, () =>
    load({ url: `${baselines.url}/bare`, body: single, connections: CONNECTIONS, seconds: SECONDS }),
  );
  const ack = await withServerCpu(baselines.pid, () =>
    load({ url: `${baselines.url}/ack`, body: single, connections: CONNECTIONS, seconds: SECONDS }),
  );
  await baselines.stop();

  const oracle = await startApp('oracle-api', env);
  stopAll.push(oracle.stop);
  // The same app with group commit off (one event per message, one ack per request).
  const unbatched = await startApp('feedback-api', { ...env, PUBLISH_MAX_EVENTS: '1' });
  const oneAckEach = await withServerCpu(unbatched.pid, () =>
    load({ url: `${unbatched.url}/api/v1/feedback/collect`, body: single, connections: CONNECTIONS, seconds: SECONDS }),
  );
  await unbatched.stop();
  await drainSeconds(jsm, iso.id);
  const feedback = await startApp('feedback-api', env);
  stopAll.push(feedback.stop);
  const collect = await withServerCpu(feedback.pid, () =>
    load({ url: `${feedback.url}/api/v1/feedback/collect`, body: single, connections: CONNECTIONS, seconds: SECONDS }),
  );
  const collectDrain = await drainSeconds(jsm, iso.id);
  const bulkRun = await withServerCpu(feedback.pid, () =>
    load({
      url: `${feedback.url}/api/v1/feedback/collect/bulk`,
      body: bulk,
      connections: BULK_CONNECTIONS,
      seconds: SECONDS,
      eventsPerRequest: BULK_EVENTS,
    }),
  );
  const bulkDrain = await drainSeconds(jsm, iso.id);
  await feedback.stop();
  await oracle.stop();

  // Tracing: collect again with both apps exporting every request's trace (OTLP/HTTP to a sink
  // in another process), then with tracing off again, so its cost is read between two off runs.
  const sink = await startOtlpSink();
  stopAll.push(sink.stop);
  const tracing = {};
  for (const [name, extra] of [
    ['on', { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }],
    ['on, 1 % sampled', { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER_ARG: '0.01' }],
    ['off again', {}],
  ]) {
    const tracedOracle = await startApp('oracle-api', { ...env, ...extra });
    const tracedFeedback = await startApp('feedback-api', { ...env, ...extra });
    try {
      tracing[name] = await withServerCpu(tracedFeedback.pid, () =>
        load({
          url: `${tracedFeedback.url}/api/v1/feedback/collect`,
          body: single,
          connections: CONNECTIONS,
          seconds: SECONDS,
        }),
      );
      tracing[name].drain = await drainSeconds(jsm, iso.id);
    } finally {
      await tracedFeedback.stop();
      await tracedOracle.stop();
    }
  }
  const exported = await sink.count();
  const offPath = offPathNanoseconds();

  const row = (name, r, drain = '') => ({
    run: name,
    'events/s': Math.round(r.eventsPerSecond),
    'req/s': Math.round(r.requestsPerSecond),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'server CPU µs/req': r.cpuPerRequest.toFixed(0),
    'non-202': r.non2xx + r.errors,
    'lag → 0 after load (s)': drain,
  });
  console.log(
    `\n${table([
      row('bare Fastify 202 (baseline)', bare),
      row('Fastify + 1 JetStream ack/request (baseline)', ack),
      row('feedback-api collect, group commit off (1 ack/request)', oneAckEach),
      row('feedback-api collect (1 event/request)', collect, collectDrain.toFixed(1)),
      row(
        `feedback-api collect/bulk (${BULK_EVENTS} events/request, ${BULK_CONNECTIONS} conns)`,
        bulkRun,
        bulkDrain.toFixed(1),
      ),
      row('feedback-api collect, tracing on (OTLP to a local sink)', tracing.on, tracing.on.drain.toFixed(1)),
      row(
        'feedback-api collect, tracing on, 1 % of traces sampled',
        tracing['on, 1 % sampled'],
        tracing['on, 1 % sampled'].drain.toFixed(1),
      ),
      row('feedback-api collect, tracing off again', tracing['off again'], tracing['off again'].drain.toFixed(1)),
    ])}\n`,
  );
  const offMean = (collect.eventsPerSecond + tracing['off again'].eventsPerSecond) / 2;
  const offCpu = (collect.cpuPerRequest + tracing['off again'].cpuPerRequest) / 2;
  for (const name of ['on', 'on, 1 % sampled'])
    console.log(
      `tracing ${name}: ${Math.round((tracing[name].eventsPerSecond / offMean) * 100)} % of the off runs' events/s, ${(tracing[name].cpuPerRequest - offCpu).toFixed(0)} µs more server CPU per request`,
    );
  console.log(
    `${exported.spans} spans in ${exported.requests} exports (${(exported.bytes / 1e6).toFixed(1)} MB) reached the sink`,
  );
  console.log(
    `collect vs per-request-ack baseline: ×${(collect.eventsPerSecond / ack.eventsPerSecond).toFixed(2)}; vs bare Fastify: ${Math.round((collect.eventsPerSecond / bare.eventsPerSecond) * 100)} %; group commit vs the same app acking each request: ×${(collect.eventsPerSecond / oneAckEach.eventsPerSecond).toFixed(2)}`,
  );
  console.log(
    `tracing off: what a request and a message do for tracing (the span check, the headers, the batch's inSpan) costs ${offPath.toFixed(0)} ns in this process, no SDK loaded`,
  );
  console.log(`bulk vs per-request-ack baseline: ×${(bulkRun.eventsPerSecond / ack.eventsPerSecond).toFixed(1)}`);

  // autocannon stops counting at the deadline while requests are still in flight; the server
  // finishes those, so Postgres may hold up to one request per connection more than counted.
  const answered =
    oneAckEach.accepted +
    collect.accepted +
    bulkRun.accepted * BULK_EVENTS +
    tracing.on.accepted +
    tracing['on, 1 % sampled'].accepted +
    tracing['off again'].accepted;
  const inFlightAtEnd = 5 * CONNECTIONS + BULK_CONNECTIONS * BULK_EVENTS;
  const [{ rows, distinct }] = await sql(
    `SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS distinct FROM "${iso.id}".feedback_events`,
  );
  const [{ counted }] = await sql(`SELECT coalesce(sum(count), 0)::int AS counted FROM "${iso.id}".feedback_rollups`);
  const lost = Math.max(0, answered - rows);
  const doubled = rows - distinct;
  const ok = lost === 0 && doubled === 0 && counted === rows && rows - answered <= inFlightAtEnd;
  console.log(
    `answered 202: ${answered} events (+ at most ${inFlightAtEnd} in flight at the deadline); Postgres: ${rows} rows, ${distinct} distinct ids, rollups count ${counted}; lost ${lost}, doubled ${doubled} → ${ok ? 'OK' : 'MISMATCH'}`,
  );
  const verdict = ok ? 'OK' : 'MISMATCH';
  if (verdict !== 'OK') process.exitCode = 1;
} finally {
  for (const stop of stopAll.reverse()) await stop();
  for await (const name of jsm.streams.names())
    if (name.startsWith(iso.id.toUpperCase())) await jsm.streams.delete(name);
  await nc.close();
  await iso.drop();
}

/** Tracing's whole work per request and message while off (no SDK): ns per round, best of 5. */
function offPathNanoseconds() {
  const { traceHeaders } = messaging;
  const { activeSpanContext, inSpan } = tracingHelpers;
  const rounds = 1_000_000;
  const work = () => Promise.resolve();
  let best = Infinity;
  let seen = 0;
  for (let trial = 0; trial < 5; trial++) {
    const started = performance.now();
    for (let i = 0; i < rounds; i++) {
      if (activeSpanContext()) seen++;
      if (traceHeaders()) seen++;
      void inSpan('feedback publish', {}, work);
    }
    best = Math.min(best, ((performance.now() - started) * 1e6) / rounds);
  }
  if (seen !== 0) throw new Error('tracing is on in the bench process');
  return best;
}

/** Seconds from now until the ingest consumer has nothing pending or unacknowledged. */
async function drainSeconds(manager, prefix) {
  const started = performance.now();
  const stream = `${prefix.toUpperCase()}_FEEDBACK`;
  for (;;) {
    const info = await manager.consumers.info(stream, 'oracle-ingest');
    if (info.num_pending + info.num_ack_pending === 0) return (performance.now() - started) / 1000;
    if (performance.now() - started > 300_000) throw new Error('ingest consumer did not drain within 300 s');
    await sleep(50);
  }
}
