// npm run bench:sdk — what one agent process sustains through the agent SDKs to a local
// feedback-api, beside the raw-fetch baselines in the same run (one request per event, and bulk),
// and what a config call costs the agent's request path on a cache hit.
//
// One feedback-api, no oracle-api (nothing ingests: the numbers are the data plane's and the
// client's), on the same 2 cores as this process; BENCH_SECONDS per run (default 5).
import sdk from '@metaloop/sdk';
import { startControlPlane } from './lib/control-plane.mjs';
import { pythonSdkRuns } from './sdk-python.mjs';
import { isolation, SERVICES, sleep, startApp, table } from './lib/harness.mjs';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';

const { MetaloopClient } = sdk;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RAW_CONCURRENCY = Number(process.env.BENCH_RAW_CONCURRENCY ?? 50);
const BULK_EVENTS = 500;
const BULK_CONCURRENCY = 4;
const CONFIG_CALLS = Number(process.env.BENCH_CONFIG_CALLS ?? 200_000);
const AGENT = 'helpful_assistant';
const event = (i) => ({
  agent_id: AGENT,
  session_id: `session-${i % 1_000}`,
  explicit: { rating: 4.5, helpful: true },
  implicit: { response_time_ms: 250, success_rate: 0.95 },
});

const iso = await isolation('sdk');
const env = iso.env;
const nc = await connect({ servers: SERVICES.nats });
const jsm = await jetstreamManager(nc);
const stopAll = [];
/** Rows of the feedback table: every SDK's runs land here, beside the baselines. */
const rows = [];
const row = (run, events, seconds, extra = '') =>
  rows.push({ run, 'events/s': Math.round(events / seconds).toLocaleString('en-US'), notes: extra });

try {
  const control = await startControlPlane(iso);
  stopAll.push(control.close);
  await control.createAgent(AGENT, {
    model: 'gpt-4o-mini',
    prompt: { version: 'v1', template: 'You are a helpful assistant for an online shop.' },
    params: { temperature: 0.7 },
  });
  const app = await startApp('feedback-api', env);
  stopAll.push(app.stop);
  console.log(`feedback-api ready; ${SECONDS} s per run`);

  // ── Baselines: raw fetch ────────────────────────────────────────────────────
  {
    const { accepted, seconds, cpu } = await forSeconds(RAW_CONCURRENCY, async (i) => {
      const r = await fetch(`${app.url}/api/v1/feedback/collect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event(i)),
      });
      await r.arrayBuffer();
      return r.status === 202 ? 1 : 0;
    });
    row(
      'raw fetch, 1 event per request (baseline)',
      accepted,
      seconds,
      `${RAW_CONCURRENCY} requests in flight; client CPU ${cpuPerEvent(cpu, accepted)} µs/event`,
    );
  }
  {
    const { accepted, seconds, cpu } = await forSeconds(BULK_CONCURRENCY, async (i) => {
      const events = Array.from({ length: BULK_EVENTS }, (_, j) => event(i * BULK_EVENTS + j));
      const r = await fetch(`${app.url}/api/v1/feedback/collect/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      const answer = await r.json();
      return r.status === 202 ? answer.accepted : 0;
    });
    row(
      `raw fetch, collect/bulk of ${BULK_EVENTS} (baseline)`,
      accepted,
      seconds,
      `${BULK_CONCURRENCY} requests in flight; client CPU ${cpuPerEvent(cpu, accepted)} µs/event`,
    );
  }

  {
    // The same with an event_id per event, as the SDKs send them: feedback-api then checks and
    // remembers each id (Redis), which is what makes a retry safe.
    const { accepted, seconds, cpu } = await forSeconds(BULK_CONCURRENCY, async (i) => {
      const events = Array.from({ length: BULK_EVENTS }, (_, j) => ({
        ...event(i * BULK_EVENTS + j),
        event_id: randomUUID(),
      }));
      const r = await fetch(`${app.url}/api/v1/feedback/collect/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      const answer = await r.json();
      return r.status === 202 ? answer.accepted : 0;
    });
    row(
      `raw fetch, collect/bulk of ${BULK_EVENTS} with client event_ids (baseline)`,
      accepted,
      seconds,
      `${BULK_CONCURRENCY} requests in flight; client CPU ${cpuPerEvent(cpu, accepted)} µs/event`,
    );
  }

  // ── TypeScript SDK ──────────────────────────────────────────────────────────
  {
    const client = new MetaloopClient({
      baseUrl: app.url,
      feedback: { maxBatchSize: 500, maxConcurrency: 4, maxBufferSize: 20_000 },
    });
    // Warm-up: a second of the same, not counted.
    for (let w = 0, until = performance.now() + 1_000; performance.now() < until;) {
      for (let k = 0; k < 256; k++) client.feedback(event(w++));
      await new Promise((resolve) => setImmediate(resolve));
      while (client.stats().buffered > 10_000) await sleep(1);
    }
    await client.flush(30_000);
    const sentBefore = client.stats().sent;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deadline = started + SECONDS * 1_000;
    let i = 0;
    while (performance.now() < deadline) {
      // An agent producing as fast as it can; it waits while the SDK's buffer is half full, so
      // the rate is what the SDK sustains, not what it drops.
      for (let k = 0; k < 256; k++) client.feedback(event(i++));
      await new Promise((resolve) => setImmediate(resolve));
      while (client.stats().buffered > 10_000) await sleep(1);
    }
    const seconds = (performance.now() - started) / 1_000;
    const atDeadline = client.stats();
    const { user, system } = process.cpuUsage(cpuBefore);
    const sent = atDeadline.sent - sentBefore;
    await client.close(30_000);
    const end = client.stats();
    row(
      'TypeScript SDK feedback() (batches of ≤ 500, 4 in flight)',
      sent,
      seconds,
      `client CPU ${cpuPerEvent(user + system, sent)} µs/event; in all ${end.batches} batches, ${end.sent} sent, ${end.dropped} dropped, ${end.retried} retried`,
    );
  }

  // ── Python SDK (clients/python) ─────────────────────────────────────────────
  // One Python process (bench/sdk-python.mjs runs clients/python/bench/bench_sdk.py; METALOOP_PYTHON
  // picks the interpreter), against the same feedback-api, agent and SECONDS.
  const python = await pythonSdkRuns({ url: app.url, agent: AGENT, seconds: SECONDS });
  for (const r of python.feedback) row(r.run, r.events, r.seconds, r.notes);

  console.log('\nfeedback, one process to one local feedback-api:');
  console.log(table(rows));

  // ── Config on a cache hit ───────────────────────────────────────────────────
  {
    const client = new MetaloopClient({ baseUrl: app.url, config: { maxAgeMs: 3_600_000 } });
    const request = { sessionId: 'session-1' };
    const first = await client.config(AGENT, request);
    if (first.stale || !first.config) throw new Error(`no config: ${first.reason}`);
    const value = { config: first.config };
    const baseline = await perCall(CONFIG_CALLS, () => Promise.resolve(value));
    const hit = await perCall(CONFIG_CALLS, () => client.config(AGENT, request));
    const sessions = Array.from({ length: 1_000 }, (_, i) => ({ sessionId: `session-${i}` }));
    for (const s of sessions) await client.config(AGENT, s);
    let n = 0;
    const hitMany = await perCall(CONFIG_CALLS, () => client.config(AGENT, sessions[n++ % sessions.length]));
    // Revalidation on every call (maxAgeMs 0): a 304 round trip, against a raw conditional GET.
    const revalidating = new MetaloopClient({ baseUrl: app.url, config: { maxAgeMs: 0 } });
    await revalidating.config(AGENT, request);
    const revalidate = await perCall(2_000, () => revalidating.config(AGENT, request));
    const url = `${app.url}/api/v1/agents/${AGENT}/config?session_id=session-1`;
    const etag = (await fetch(url)).headers.get('etag');
    const raw304 = await perCall(2_000, async () => {
      const r = await fetch(url, { headers: { 'if-none-match': etag } });
      await r.arrayBuffer();
    });
    console.log('\nconfig(), per call, awaited one after another:');
    console.log(
      table([
        { run: 'await Promise.resolve(cached) (baseline)', 'µs per call': baseline.toFixed(3) },
        { run: 'SDK config(), cache hit, one session', 'µs per call': hit.toFixed(3) },
        { run: 'SDK config(), cache hit, 1,000 sessions cycled', 'µs per call': hitMany.toFixed(3) },
        { run: 'SDK config(), revalidated each call (304)', 'µs per call': revalidate.toFixed(1) },
        { run: 'raw fetch with If-None-Match → 304 (baseline)', 'µs per call': raw304.toFixed(1) },
      ]),
    );
    const overhead = hitMany - baseline;
    console.log(
      `cache-hit overhead over an awaited promise: ${overhead.toFixed(3)} µs (goal < 50 µs: ${overhead < 50 ? 'met' : 'NOT met'}); ` +
        `${revalidating.stats().notModified} 304s counted by the SDK`,
    );
  }
  console.log(`\nPython ${python.python} config(), per call, one after another:`);
  console.log(table(python.config));
  console.log(
    `Python cache-hit overhead over a dict lookup: ${python.cacheHitOverheadUs.toFixed(3)} µs; ` +
      `${python.notModified} 304s counted by the SDK`,
  );
} finally {
  for (const stop of stopAll.reverse()) await stop();
  for await (const name of jsm.streams.names())
    if (name.startsWith(iso.id.toUpperCase())) await jsm.streams.delete(name);
  await nc.close();
  await iso.drop();
}

/** `concurrency` loops calling `once(i)` for SECONDS after a 1 s warm-up; the sum of what they return. */
async function forSeconds(concurrency, once) {
  const warmUntil = performance.now() + 1_000;
  let warm = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmUntil) await once(warm++);
    }),
  );
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = started + SECONDS * 1_000;
  let accepted = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const got = await once(next++); // not `accepted += await …`: that reads `accepted` before the await
        accepted += got;
      }
    }),
  );
  const { user, system } = process.cpuUsage(cpuBefore);
  return { accepted, seconds: (performance.now() - started) / 1_000, cpu: user + system };
}

/** This process's CPU time per event, µs. */
function cpuPerEvent(cpuMicros, events) {
  return (cpuMicros / Math.max(1, events)).toFixed(1);
}

/** µs per awaited call, after a warm-up of a tenth as many. */
async function perCall(calls, call) {
  for (let i = 0; i < calls / 10; i++) await call();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call();
  return ((performance.now() - started) * 1_000) / calls;
}
