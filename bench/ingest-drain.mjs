// npm run bench:ingest-drain — how fast oracle-api's consumer alone empties a backlog:
// N events (100 per envelope) are published while it is stopped, then it starts and the
// time until its consumer has nothing pending is measured. INGEST_CONCURRENCY is passed on.
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { isolation, SERVICES, sleep, sql, startApp } from './lib/harness.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const PER_ENVELOPE = 100;
const iso = await isolation('drain');
const nc = await connect({ servers: SERVICES.nats });
const jsm = await jetstreamManager(nc);
const env = {
  ...iso.env,
  ...(process.env.INGEST_CONCURRENCY ? { INGEST_CONCURRENCY: process.env.INGEST_CONCURRENCY } : {}),
};
try {
  // A first start creates the streams, the consumer and the schema.
  await (await startApp('oracle-api', env)).stop();
  const js = jetstream(nc);
  const receivedAt = new Date().toISOString();
  const event = (i) => ({
    agent_id: 'helpful_assistant',
    session_id: `s${i % 100}`,
    explicit: { rating: 4.5, helpful: true },
    implicit: { response_time_ms: 250, success_rate: 0.95 },
    event_id: `drain-${i}`,
    received_at: receivedAt,
    kind: 'explicit',
  });
  const publishes = [];
  for (let i = 0; i < EVENTS; i += PER_ENVELOPE) {
    const events = Array.from({ length: PER_ENVELOPE }, (_, k) => event(i + k));
    publishes.push(
      js.publish(`${iso.id}.feedback.explicit.helpful_assistant`, JSON.stringify({ v: 1, type: 'feedback', events })),
    );
  }
  await Promise.all(publishes);

  const started = performance.now();
  const oracle = await startApp('oracle-api', env);
  const ready = performance.now();
  for (;;) {
    const info = await jsm.consumers.info(`${iso.id.toUpperCase()}_FEEDBACK`, 'oracle-ingest');
    if (info.num_pending + info.num_ack_pending === 0) break;
    await sleep(100);
  }
  const drained = (performance.now() - ready) / 1000;
  await oracle.stop();
  const [{ rows }] = await sql(`SELECT count(*)::int AS rows FROM "${iso.id}".feedback_events`);
  console.log(
    `${rows} of ${EVENTS} events ingested ${drained.toFixed(1)} s after oracle-api was ready ` +
      `(${((ready - started) / 1000).toFixed(1)} s to start) → ${Math.round(rows / drained)} events/s, ` +
      `INGEST_CONCURRENCY=${process.env.INGEST_CONCURRENCY ?? 'default'}`,
  );
  if (rows !== EVENTS) process.exitCode = 1;
} finally {
  for await (const name of jsm.streams.names())
    if (name.startsWith(iso.id.toUpperCase())) await jsm.streams.delete(name);
  await nc.close();
  await iso.drop();
}
