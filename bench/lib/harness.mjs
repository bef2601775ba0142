// Shared pieces of the benchmarks: isolated resources, app processes, autocannon runs.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVICES = {
  database: process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
  nats: process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A schema, NATS prefix and Redis prefix of its own, so a benchmark never touches real data. */
export async function isolation(name) {
  const id = `bench_${name}_${randomBytes(3).toString('hex')}`;
  const url = new URL(SERVICES.database);
  url.searchParams.set('schema', id);
  await sql(`CREATE SCHEMA "${id}"`);
  const databaseUrl = url.toString();
  /** What an app needs to run in this isolation: its schema, NATS prefix and Redis prefix. */
  const env = {
    DATABASE_URL: databaseUrl,
    NATS_URL: SERVICES.nats,
    NATS_PREFIX: id,
    REDIS_URL: SERVICES.redis,
    REDIS_PREFIX: id,
  };
  return { id, databaseUrl, env, drop: () => sql(`DROP SCHEMA IF EXISTS "${id}" CASCADE`) };
}

export async function sql(text, params = []) {
  const client = new pg.Client({ connectionString: SERVICES.database });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * Starts a built app (apps/<name>/dist/main.js) and waits until /health/ready answers 200. Give
 * the apps of one run the same `env`: all three read POLICIES_PATH.
 * BENCH_NODE_ARGS adds node flags to the app, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under load.
 */
export async function startApp(name, env) {
  const port = await freePort();
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, `${ROOT}/apps/${name}/dist/main.js`], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { url, pid: child.pid, stop: () => stop(child) };
    await sleep(100);
  }
  throw new Error(`${name} not ready after 30 s`);
}

/** The baseline servers; `configBody` is what their bare GET /api/v1/agents/:agent_id/config answers. */
export async function startBaselines(prefix, configBody = '{}') {
  const port = await freePort();
  const child = fork(`${ROOT}/bench/lib/baseline-servers.mjs`, [String(port), SERVICES.nats, prefix, configBody], {
    stdio: 'inherit',
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`baseline servers exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stop(child) };
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** An OTLP/HTTP sink in its own process (bench/lib/otlp-sink.mjs): its URL, span count and stop. */
export async function startOtlpSink() {
  const port = await freePort();
  const child = fork(`${ROOT}/bench/lib/otlp-sink.mjs`, [String(port)], { stdio: 'inherit' });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`OTLP sink exited with ${code}`)));
  });
  const count = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('count');
    });
  return { url: `http://127.0.0.1:${port}`, count, stop: () => stop(child) };
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; 100 ticks a second). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Runs a load and adds the CPU time the server process `pid` spent per answered request
 * (`cpuPerRequest`, µs): steadier than req/s on a shared machine.
 */
export async function withServerCpu(pid, run) {
  const before = cpuMs(pid);
  const result = await run();
  return { ...result, cpuPerRequest: ((cpuMs(pid) - before) * 1000) / Math.max(1, result.accepted) };
}

/**
 * One autocannon run; returns requests/s (of `okStatus` answers), latency percentiles and how
 * many got each status. `paths` cycles the request path through the given ones.
 */
export async function load({
  url,
  body,
  headers = {},
  connections = 50,
  seconds = 10,
  eventsPerRequest = 1,
  method = 'POST',
  okStatus = 202,
  paths,
}) {
  let next = -1;
  const result = await autocannon({
    url,
    method,
    connections,
    duration: seconds,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body,
    ...(paths && {
      requests: [{ setupRequest: (request) => ({ ...request, path: paths[(next = (next + 1) % paths.length)] }) }],
    }),
  });
  const accepted = result.statusCodeStats?.[String(okStatus)]?.count ?? 0;
  return {
    requests: result.requests.total,
    accepted,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    requestsPerSecond: accepted / seconds,
    eventsPerSecond: (accepted * eventsPerRequest) / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

export function table(rows) {
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => r[c]))),
  ].join('\n');
}
