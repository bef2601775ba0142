// npm run bench:oracle — the oracle's own work at fleet scale. Section "analysis": per-minute
// rollups for 1,000 agents over 24 h (1.44 M rows, with their hourly sums as the ingest
// consumer keeps them) are bulk-inserted into a scratch schema, then oracle-api analyzes all
// of them over REST, several times; the same GROUP BY over the minute rows alone is timed too,
// which is why the hourly rollups exist.
//
// More sections (the lead's "validation ≥ 1,000 plans/s") go into SECTIONS below: each gets the
// running app and the database and prints its own figures. BENCH_ONLY=analysis,… picks some.
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import core from '@metaloop/core';
import pg from 'pg';
import autocannon from 'autocannon';
import { isolation, SERVICES, startApp, table } from './lib/harness.mjs';
import { measureValidation } from './validation.mjs';

const { LATENCY_BUCKETS, latencyBucket } = core; // a CommonJS build
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1_000);
const HOURS = Number(process.env.BENCH_HOURS ?? 24);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const EVENTS_PER_MINUTE = 20;

const histogramSums = () =>
  `ARRAY[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `sum(latency_hist[${i + 1}])::int`).join(', ')}]`;
const SUMS = `sum(count), sum(success_n), sum(success_sum), sum(errors), sum(rating_count), sum(rating_sum), sum(rating_sum_sq),
  sum(helpful_up), sum(helpful_down), sum(complaints), sum(latency_count), sum(latency_sum_ms)`;

const SECTIONS = { analysis: benchAnalysis, validation: benchValidation };

const iso = await isolation('oracle');
const env = iso.env;
const db = new pg.Client({ connectionString: SERVICES.database, options: `-c search_path=${iso.id}` });
await db.connect();
const nc = await connect({ servers: SERVICES.nats });
let oracle;
try {
  oracle = await startApp('oracle-api', env); // migrates the scratch schema
  const only = process.env.BENCH_ONLY?.split(',');
  for (const [name, section] of Object.entries(SECTIONS))
    if (!only || only.includes(name)) await section({ url: oracle.url, db });
} finally {
  await oracle?.stop();
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names())
    if (name.startsWith(iso.id.toUpperCase())) await jsm.streams.delete(name);
  await nc.close();
  await db.end();
  await iso.drop();
}

async function benchAnalysis({ url, db }) {
  const now = new Date();
  const rows = await loadRollups(db, now);
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const response = await fetch(`${url}/api/v1/oracle/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // The window and the baseline before it together cover the 24 h loaded.
      body: JSON.stringify({ time_window_hours: HOURS / 2, event_limit: 1000 }),
    });
    const roundTrip = performance.now() - started;
    if (response.status !== 200) throw new Error(`analyze answered ${response.status}: ${await response.text()}`);
    const { analysis } = await response.json();
    runs.push({
      run: run + 1,
      agents: analysis.agents_analyzed,
      tests: analysis.tests_run,
      findings: analysis.findings.length,
      'analysis ms': Math.round(analysis.duration_ms),
      'HTTP round trip ms': Math.round(roundTrip),
    });
  }
  console.log(
    `\nanalysis of ${AGENTS} agents (${rows.minutes.toLocaleString('en')} minute rows loaded in ${rows.seconds.toFixed(1)} s, ${rows.hours.toLocaleString('en')} hourly rows):`,
  );
  console.log(table(runs));
  const byType = {};
  for (const [type, count] of (
    await db.query(`SELECT type::text, count(*)::int FROM findings GROUP BY 1 ORDER BY 1`)
  ).rows.map((r) => [r.type, r.count]))
    byType[type] = count;
  console.log(
    `findings by type (injected: one latency regression, one success drop, one busy agent): ${JSON.stringify(byType)}`,
  );
  const sorted = runs.map((r) => r['analysis ms']).sort((a, b) => a - b);
  console.log(`analysis median ${sorted[Math.floor(sorted.length / 2)]} ms (goal < 1000 ms)`);
  const minuteOnly = await timeMinuteOnlyGroupBy(db, now);
  console.log(
    `for comparison, the same sums as one GROUP BY over the ${rows.minutes.toLocaleString('en')} minute rows alone: ${minuteOnly} ms`,
  );
}

/**
 * 1,000 agents (a third each in dev, staging and prod), one revision each, one minute row per
 * minute: ~20 events with success 0.92, ratings around 4, log-normal latency around 800 ms.
 * Three agents change in the second half: agent 7 gets 40 % slower, agent 13 loses 20 points
 * of success, agent 21 takes 300× the traffic (half its environment). Rows go in minute by
 * minute, as the ingest consumer writes them (so one minute's rows share pages).
 */
async function loadRollups(db, now) {
  const started = performance.now();
  const end = Math.floor(now.getTime() / 60_000) * 60_000;
  const start = new Date(end - HOURS * 3_600_000).toISOString();
  const half = new Date(end - (HOURS / 2) * 3_600_000).toISOString();
  const shapes = (median) => JSON.stringify(Array.from({ length: 16 }, (_, seed) => histogramShape(median, seed)));
  await db.query(
    `INSERT INTO agents (id, name, environment, updated_at)
    SELECT 'agent_' || a, 'agent ' || a, (ARRAY['dev', 'staging', 'prod'])[1 + a % 3]::"Environment", now() FROM generate_series(0, $1 - 1) a`,
    [AGENTS],
  );
  await db.query(
    `
    WITH shapes AS (
      SELECT k - 1 AS k, false AS slow, ARRAY(SELECT x::int FROM json_array_elements_text(value) x) AS hist FROM json_array_elements($4::json) WITH ORDINALITY s(value, k)
      UNION ALL
      SELECT k - 1, true, ARRAY(SELECT x::int FROM json_array_elements_text(value) x) FROM json_array_elements($5::json) WITH ORDINALITY s(value, k)
    ),
    minutes AS (
      SELECT b AS bucket, (extract(epoch FROM b)::bigint / 60)::int AS i, b >= $3::timestamptz AS late
      FROM generate_series($2::timestamptz, $6::timestamptz - interval '1 minute', interval '1 minute') b
    ),
    cells AS (
      SELECT a, m.*, CASE WHEN a = 21 AND m.late THEN ${EVENTS_PER_MINUTE * 300} ELSE ${EVENTS_PER_MINUTE} END AS n, (a = 7 AND m.late) AS slow
      FROM generate_series(0, $1 - 1) a CROSS JOIN minutes m
    )
    INSERT INTO feedback_rollups (agent_id, revision_id, bucket, count, success_n, success_sum, errors, rating_count, rating_sum, rating_sum_sq,
      helpful_up, helpful_down, complaints, latency_count, latency_sum_ms, latency_hist, tokens_in, tokens_out, cost_usd)
    SELECT 'agent_' || a, 'rev_' || a, bucket,
      n, n, CASE WHEN a = 13 AND late THEN 0.72 ELSE 0.92 END * n, (i + a) % 3, n / 4, (n / 4) * 4.0, (n / 4) * 16.8,
      n / 5, 0, ((i * 7 + a) % 200) / 199, n, n * CASE WHEN cells.slow THEN 1120 ELSE 800 END, s.hist,
      n * 500, n * 200, n * 0.004
    FROM cells JOIN shapes s ON s.k = (cells.i + cells.a) % 16 AND s.slow = cells.slow
    ORDER BY bucket, a`,
    [AGENTS, start, half, shapes(800), shapes(1120), new Date(end).toISOString()],
  );
  await db.query(hourlyFromMinutes());
  await db.query('VACUUM ANALYZE feedback_rollups');
  await db.query('VACUUM ANALYZE feedback_rollups_hourly');
  const [{ minutes }] = (await db.query('SELECT count(*)::int AS minutes FROM feedback_rollups')).rows;
  const [{ hours }] = (await db.query('SELECT count(*)::int AS hours FROM feedback_rollups_hourly')).rows;
  return { minutes, hours, seconds: (performance.now() - started) / 1000 };
}

/** Bucket counts of 20 log-normal latencies (σ = 0.5 on ln) around the median, one fixed draw per seed. */
function histogramShape(median, seed) {
  const counts = new Array(LATENCY_BUCKETS).fill(0);
  let state = seed * 7919 + 1;
  const uniform = () => (state = (state * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < EVENTS_PER_MINUTE; i++) {
    const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    counts[latencyBucket(median * Math.exp(0.5 * z))] += 1;
  }
  return counts;
}

/** What the ingest consumer keeps alongside the minutes: their sums per hour. */
function hourlyFromMinutes() {
  return `INSERT INTO feedback_rollups_hourly
    SELECT agent_id, revision_id, date_trunc('hour', bucket, 'UTC'), ${SUMS}, ${histogramSums()}, sum(tokens_in), sum(tokens_out), sum(cost_usd)
    FROM feedback_rollups GROUP BY agent_id, revision_id, date_trunc('hour', bucket, 'UTC')`;
}

async function timeMinuteOnlyGroupBy(db, now) {
  const half = new Date(now.getTime() - (HOURS / 2) * 3_600_000).toISOString();
  // The settings the analysis itself runs with.
  await db.query('SET jit = off');
  await db.query(`SET work_mem = '64MB'`);
  const started = performance.now();
  await db.query(
    `SELECT agent_id, revision_id, bucket >= $1::timestamptz AS recent, ${SUMS}, ${histogramSums()}, sum(tokens_in), sum(tokens_out), sum(cost_usd)
     FROM feedback_rollups WHERE bucket >= $2::timestamptz GROUP BY 1, 2, 3`,
    [half, new Date(now.getTime() - HOURS * 3_600_000).toISOString()],
  );
  return Math.round(performance.now() - started);
}

/**
 * Validation two ways: the eight SPEC gates as pure functions (what a validation computes), and
 * `POST validate {plan_id}` over REST, each one gathering the gate state from Postgres and
 * storing its decision record (validation, gate results, audit) — what an operator waits for.
 */
async function benchValidation({ url }) {
  const pure = measureValidation(3);
  const post = async (path, body, expected) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== expected) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  };
  const config = {
    model: 'gpt-4o',
    prompt: { version: 'v1', template: 'You are helpful.' },
    params: { temperature: 0.9 },
  };
  await post('/api/v1/agents', { agent_id: 'bench_validate', environment: 'dev', config }, 201);
  await post(
    '/api/v1/agents/bench_validate/candidates',
    { type: 'prompt', version: 'v2', template: 'You are brief.' },
    201,
  );
  const mutation = {
    type: 'PARAM_SET',
    agent_id: 'bench_validate',
    params: { set: { temperature: 0.5 } },
    confidence: 0.9,
    risk: 2,
    expected_impact: { metric: 'success_rate', direction: 'increase', relative_change: 0.05 },
    rationale: 'bench',
  };
  // Distinct plans, as concurrent validations are in life (one plan's row would serialise them).
  const planIds = [];
  for (let i = 0; i < 200; i++)
    planIds.push(
      (
        await post(
          '/api/v1/oracle/validate',
          { plan: { mutations: [mutation], confidence: 0.9, risk: 2, rationale: `bench ${i}` } },
          200,
        )
      ).plan_id,
    );
  let next = 0;
  const result = await autocannon({
    url: `${url}/api/v1/oracle/validate`,
    method: 'POST',
    connections: 10,
    duration: 10,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ plan_id: planIds[next++ % planIds.length] }),
        }),
      },
    ],
  });
  const ok = result.statusCodeStats?.['200']?.count ?? 0;
  console.log('\nvalidation:');
  console.log(
    table([
      {
        what: `validatePlan, 8 gates over ${pure.mutationsPerPlan}-mutation plans (pure, one core)`,
        'plans/s': Math.round(pure.plansPerSecond).toLocaleString('en'),
        'p50 / p99 ms': '',
      },
      {
        what: 'POST validate {plan_id}: gate state from Postgres + decision record stored (-c 10)',
        'plans/s': Math.round(ok / 10).toLocaleString('en'),
        'p50 / p99 ms': `${result.latency.p50} / ${result.latency.p99}`,
      },
    ]),
  );
  console.log(`(goal ≥ 1,000 plans/s; ${result.non2xx} non-2xx answers)`);
}
