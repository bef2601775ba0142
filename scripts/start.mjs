// `npm start`: runs all of metaloop locally. Checks that Postgres, Redis and NATS (JetStream)
// answer, migrates once, builds, then runs the three apps as children of this process with
// prefixed logs until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHECK_TIMEOUT_MS = 2_000;
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 500;
const STOP_TIMEOUT_MS = 15_000;

// The three apps share this environment, so a POLICIES_PATH from the shell is every app's policy.
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/metaloop',
  REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  NATS_URL: process.env.NATS_URL || 'nats://127.0.0.1:4222',
};

// Each app gets its own port: a PORT inherited from the shell would make all three collide.
const APPS = [
  { name: 'feedback-api', port: 8091, color: '36' },
  { name: 'oracle-api', port: 8092, color: '35' },
  { name: 'orchestrator', port: 8093, color: '33' },
];
const NAME_WIDTH = Math.max(...APPS.map((app) => app.name.length));

const TTY = Boolean(process.stdout.isTTY);
const paint = (color, text) => (TTY ? `\x1b[${color}m${text}\x1b[0m` : text);
const LEVEL_COLORS = { trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '31' };
const say = (message) => process.stdout.write(`${paint('1', 'start'.padEnd(NAME_WIDTH))} │ ${message}\n`);

const SERVICES = [
  {
    name: 'Postgres',
    url: env.DATABASE_URL,
    check: checkPostgres,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    elsewhere: 'docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16',
  },
  {
    name: 'Redis',
    url: env.REDIS_URL,
    check: checkRedis,
    start: `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`,
    elsewhere: 'docker run -d -p 6379:6379 redis:7',
  },
  {
    name: 'NATS',
    url: env.NATS_URL,
    check: checkNats,
    start:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
    elsewhere: 'docker run -d -p 4222:4222 nats:2 -js',
  },
];

// Errors meaning "nothing answers there", for which starting the service is the fix.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT']);

const running = new Map();
let stopping = false;
let exitCode = 0;

async function main() {
  await preflight();
  migrate();
  build();
  // Only now: before this, Ctrl-C simply ends us and the command in progress.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => stopAll(0, `${signal}: stopping the apps`));
  }
  // `kill <npm pid>` ends npm and its `sh -c` without passing the signal on: stop with them.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stopAll(0, 'parent process gone: stopping the apps'), 1_000).unref();
  for (const app of APPS) running.set(app.name, startApp(app));
  const notReady = await waitUntilReady();
  if (stopping) return;
  if (notReady.length > 0) {
    say(`not ready after ${READY_TIMEOUT_MS / 1000} s:`);
    for (const { app, detail } of notReady) say(`  ${app.name}: ${detail}`);
    stopAll(1, 'stopping the apps');
    return;
  }
  say('all apps are ready:');
  for (const app of APPS) {
    const base = baseUrl(app.port);
    say(`  ${app.name.padEnd(NAME_WIDTH)}  ${base}  docs ${base}/docs  metrics ${base}/metrics`);
  }
  say(`  operator console  ${baseUrl(APPS.find((app) => app.name === 'oracle-api').port)}/console`);
  say('Ctrl-C stops them');
}

// --- preflight ------------------------------------------------------------------------------

/** Checks all services at once; names each missing one with the command that starts it. */
async function preflight() {
  const outcomes = await Promise.allSettled(SERVICES.map((service) => withTimeout(service.check(service.url))));
  const failures = SERVICES.flatMap((service, i) =>
    outcomes[i].status === 'rejected' ? [describeFailure(service, outcomes[i].reason)] : [],
  );
  if (failures.length > 0) {
    for (const line of failures) process.stderr.write(`${paint('31', '✗')} ${line}\n`);
    process.exit(1);
  }
  say('Postgres, Redis and NATS (JetStream) answer');
}

function describeFailure(service, error) {
  const where = `${service.name} at ${redact(service.url)}`;
  const code = error.code ?? error.cause?.code;
  if (service.name === 'NATS' && /not enabled/i.test(error.message)) {
    return `${where}: JetStream not enabled. Restart it with -js: start-stop-daemon --stop --exec /usr/sbin/nats-server; ${service.start}`;
  }
  if (!UNREACHABLE.has(code)) return `${where}: ${error.message}`;
  return `${where} is not reachable (${error.message}). Start it: ${service.start}   (not Debian: ${service.elsewhere})`;
}

/** Connects and runs SELECT 1; creates the target database when only it is missing. */
async function checkPostgres(url) {
  const client = new pg.Client({ connectionString: withoutSchemaParam(url) });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    if (error.code !== '3D000') throw error; // 3D000: database does not exist
    await createDatabase(url, client.database);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(url, database) {
  const admin = new URL(withoutSchemaParam(url));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    say(`Postgres: created database ${database}`);
  } catch (error) {
    if (error.code !== '42P04') throw error; // 42P04: created meanwhile by someone else
  } finally {
    await client.end().catch(() => undefined);
  }
}

// node-postgres does not understand Prisma's `?schema=`; the migrator applies it.
function withoutSchemaParam(url) {
  const parsed = new URL(url);
  parsed.searchParams.delete('schema');
  return parsed.toString();
}

async function checkRedis(url) {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // connect() only says "Connection is closed."; the error event has the cause.
  let cause;
  redis.on('error', (error) => (cause = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    redis.disconnect();
  }
}

/** Account info is a JetStream API call, so a server started without -js fails here. */
async function checkNats(url) {
  const servers = url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
  const nc = await connectNats({ servers, timeout: CHECK_TIMEOUT_MS, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc, { timeout: CHECK_TIMEOUT_MS, checkAPI: false });
    await jsm.getAccountInfo();
  } finally {
    await nc.close();
  }
}

function withTimeout(promise) {
  const timeout = sleep(CHECK_TIMEOUT_MS, undefined, { ref: false }).then(() => {
    throw Object.assign(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' });
  });
  return Promise.race([promise, timeout]);
}

function redact(urls) {
  return urls.replace(/\/\/([^:/@]*):[^@/]*@/g, '//$1:***@');
}

// --- migrate and build -----------------------------------------------------------------------

/** Migrates once up front, so the three apps don't all wait on the migration lock at first start. */
function migrate() {
  if (!existsSync(`${ROOT}/libs/db/dist/migrate-cli.js`)) {
    say('building libs/db for the migrator…');
    run('npx', ['nx', 'run', 'db:build']);
  }
  for (const line of run(process.execPath, ['libs/db/dist/migrate-cli.js'])) say(`migrate: ${line}`);
}

function build() {
  say('building the apps (nx, cached)…');
  const started = Date.now();
  run('npx', ['nx', 'run-many', '-t', 'build', '--projects=feedback-api,oracle-api,orchestrator']);
  say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Runs a command to completion and returns its output lines; on failure prints them and exits. */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0) {
    if (output) process.stderr.write(`${output}\n`);
    process.stderr.write(
      `${paint('31', '✗')} ${command} ${args.join(' ')} failed${result.error ? `: ${result.error.message}` : ''}\n`,
    );
    process.exit(1);
  }
  return output ? output.split('\n') : [];
}

// --- the apps --------------------------------------------------------------------------------

function startApp(app) {
  const child = spawn(process.execPath, [`apps/${app.name}/dist/main.js`], {
    cwd: ROOT,
    env: { ...env, PORT: String(app.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `${paint(app.color, app.name.padEnd(NAME_WIDTH))} │ `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      process.stdout.write(`${prefix}${TTY ? prettyLog(line) : line}\n`);
    });
  }
  // 'close', not 'exit': by then the child's last output lines have been printed.
  child.on('close', (code, signal) => {
    running.delete(app.name);
    if (!stopping)
      stopAll(code ?? 1, `${app.name} exited unexpectedly (${signal ?? `code ${code}`}), stopping the others`);
    if (running.size === 0) process.exit(exitCode);
  });
  return child;
}

/** A pino JSON line as `level msg` (plus the error message, if any); other lines as they are. */
function prettyLog(line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry?.level !== 'string' || entry.msg === undefined) return line;
  const error = entry.err?.message ? `: ${entry.err.message}` : '';
  return `${paint(LEVEL_COLORS[entry.level] ?? '0', entry.level.padEnd(5))} ${entry.msg}${error}`;
}

/** SIGTERM to every app (their graceful shutdown), SIGKILL to those still there after the timeout. */
function stopAll(code, reason) {
  if (stopping) return;
  say(reason);
  stopping = true;
  exitCode = code;
  for (const child of running.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const [name, child] of running) {
      say(`${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s, killing it`);
      child.kill('SIGKILL');
    }
  }, STOP_TIMEOUT_MS).unref();
}

/** Polls /health/ready until every app answers 200; returns the apps that never did. */
async function waitUntilReady() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let pending = APPS.map((app) => ({ app, detail: 'no answer yet' }));
  while (pending.length > 0 && !stopping && Date.now() < deadline) {
    await sleep(READY_POLL_MS);
    const probes = await Promise.all(pending.map(({ app }) => probeReady(app)));
    pending = probes.filter((probe) => !probe.ready);
  }
  return pending;
}

async function probeReady(app) {
  try {
    const response = await fetch(`${baseUrl(app.port)}/health/ready`, {
      signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
    return { app, ready: response.status === 200, detail: `${response.status} ${await response.text()}` };
  } catch (error) {
    return { app, ready: false, detail: error.cause?.code ?? error.message };
  }
}

// Apps listen on HOST (all interfaces by default); a wildcard is not an address to call.
function baseUrl(port) {
  const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

main().catch((error) => {
  process.stderr.write(`start: ${error.stack ?? error}\n`);
  process.exit(1);
});
