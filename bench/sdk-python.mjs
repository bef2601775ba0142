// The Python half of `npm run bench:sdk`: one Python process (clients/python/bench/bench_sdk.py)
// through the Python SDK to a local feedback-api. bench/sdk.mjs calls pythonSdkRuns() with its
// feedback-api; `node bench/sdk-python.mjs` runs it alone, starting a feedback-api of its own
// (no oracle-api: nothing ingests). BENCH_SECONDS per run (default 5); METALOOP_PYTHON picks the
// interpreter (default python3, 3.9+).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/harness.mjs';

const SCRIPT = join(ROOT, 'clients', 'python', 'bench', 'bench_sdk.py');
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Runs the Python benchmark against `url` (feedback-api) for `agent`; resolves with rows for the
 * feedback table ({run, events, seconds, notes}) and for the config table ({run, 'µs per call'}).
 */
export async function pythonSdkRuns({ url, agent, seconds }) {
  const python = process.env.METALOOP_PYTHON ?? 'python3';
  const child = spawn(python, [SCRIPT, url, agent, String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${python} ${SCRIPT} exited with ${code}`);
  const result = JSON.parse(stdout.trim().split('\n').pop());
  const { raw_bulk: raw, feedback: fb, config } = result;
  const perEventUs = (fb.cpu_seconds * 1e6) / Math.max(fb.enqueued, 1);
  return {
    python: result.python,
    feedback: [
      {
        run: `Python ${result.python}: raw http.client, collect/bulk of 500 with client event_ids, one at a time (baseline)`,
        events: raw.events,
        seconds: raw.seconds,
        notes: 'one kept-alive connection, no SDK',
      },
      {
        run: 'Python SDK feedback() (batches of ≤ 500, 2 sender threads)',
        events: fb.events,
        seconds: fb.seconds,
        notes:
          `${fb.batches} batches, ${fb.sent} sent, ${fb.dropped} dropped, ${fb.retried} retried; ` +
          `process CPU ${fmt(perEventUs, 1)} µs an event`,
      },
    ],
    config: [
      { run: 'Python: dict lookup of a cached config (baseline)', 'µs per call': fmt(config.baseline_us, 3) },
      { run: 'Python SDK config(), cache hit, one session', 'µs per call': fmt(config.hit_us, 3) },
      { run: 'Python SDK config(), cache hit, 1,000 sessions cycled', 'µs per call': fmt(config.hit_many_us, 3) },
      {
        run: 'Python SDK config(), revalidated each call (304; median of 10 blocks)',
        'µs per call': fmt(config.revalidate_us, 1),
      },
      {
        run: 'Python http.client GET with If-None-Match → 304 (baseline, blocks alternating)',
        'µs per call': fmt(config.raw_304_us, 1),
      },
    ],
    cacheHitOverheadUs: config.hit_many_us - config.baseline_us,
    notModified: config.not_modified,
  };
}

/** Alone: a feedback-api of its own (schema, NATS and Redis prefixes), one agent, the two tables. */
async function main() {
  const { isolation, SERVICES, startApp, table } = await import('./lib/harness.mjs');
  const { startControlPlane } = await import('./lib/control-plane.mjs');
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const agent = 'helpful_assistant';
  const iso = await isolation('sdk_python');
  const env = iso.env;
  const nc = await connect({ servers: SERVICES.nats });
  const jsm = await jetstreamManager(nc);
  const stopAll = [];
  try {
    const control = await startControlPlane(iso);
    stopAll.push(control.close);
    await control.createAgent(agent, {
      model: 'gpt-4o-mini',
      prompt: { version: 'v1', template: 'You are a helpful assistant for an online shop.' },
      params: { temperature: 0.7 },
    });
    const app = await startApp('feedback-api', env);
    stopAll.push(app.stop);
    console.log(`feedback-api ready; ${seconds} s per run`);
    const runs = await pythonSdkRuns({ url: app.url, agent, seconds });
    console.log('\nfeedback, one Python process to one local feedback-api:');
    console.log(
      table(
        runs.feedback.map((r) => ({
          run: r.run,
          'events/s': fmt(r.events / r.seconds),
          notes: r.notes,
        })),
      ),
    );
    console.log('\nconfig(), per call, one after another:');
    console.log(table(runs.config));
    console.log(
      `cache-hit overhead over a dict lookup: ${fmt(runs.cacheHitOverheadUs, 3)} µs; ` +
        `${runs.notModified} 304s counted by the SDK`,
    );
  } finally {
    for (const stop of stopAll.reverse()) await stop();
    for await (const name of jsm.streams.names())
      if (name.startsWith(iso.id.toUpperCase())) await jsm.streams.delete(name);
    await nc.close();
    await iso.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
