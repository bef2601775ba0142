// npm run bench:config — the agent config endpoint of feedback-api: cached fetches against a
// bare Fastify route answering the same body, then how long a rollout weight change takes to
// be served by two feedback-api replicas (set through libs/control's RolloutLifecycle, as the
// orchestrator does, and announced on config.changed).
import { createHash } from 'node:crypto';
import registry from '@metaloop/registry';
import { startControlPlane } from './lib/control-plane.mjs';
import { isolation, load, sql, startApp, startBaselines, table, withServerCpu } from './lib/harness.mjs';

const { armBucket } = registry;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
const AGENT = 'helpful_assistant';
const config = {
  model: 'gpt-4o-mini',
  prompt: { version: 'v1', template: 'You are a helpful assistant for an online shop.\n'.repeat(12) },
  params: { temperature: 0.7, max_tokens: 512 },
  memory: [{ id: 'tone', text: 'Answer politely and briefly.', weight: 0.8 }],
};
// A thousand sessions the load cycles through, so each request computes its arm.
const paths = Array.from({ length: 1_000 }, (_, i) => `/api/v1/agents/${AGENT}/config?session_id=session-${i}`);

const iso = await isolation('config');
const env = iso.env;
const stopAll = [];
try {
  const control = await startControlPlane(iso);
  stopAll.push(control.close);
  const { revision_id: stableId } = await control.createAgent(AGENT, config);
  const { rolloutId } = await control.startRollout(AGENT, stableId, { ...config, model: 'gpt-4o' }, 500);
  const key = await createApiKey(iso.id);
  const auth = { authorization: `Bearer ${key}` };

  const replicas = [await startApp('feedback-api', env), await startApp('feedback-api', env)];
  stopAll.push(...replicas.map((r) => r.stop));
  const sample = await fetch(`${replicas[0].url}${paths[0]}`, { headers: auth }).then((r) => r.text());
  const baselines = await startBaselines(iso.id, sample);
  stopAll.push(baselines.stop);

  console.log(
    `${SECONDS} s per run, ${CONNECTIONS} connections, ${paths.length} sessions cycled, ${sample.length}-byte answers`,
  );
  const bare = await measured(baselines.pid, {
    url: baselines.url,
    method: 'GET',
    okStatus: 200,
    paths,
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  await baselines.stop();
  const cached = await measured(replicas[0].pid, {
    url: replicas[0].url,
    method: 'GET',
    okStatus: 200,
    paths,
    headers: auth,
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  // Per-subject memory (seed 002): the same sessions, each with its own subject (3 goals, 2 preferences,
  // 20 history items, 4 facets), so every answer reads the subject from Postgres and adds subject_context.
  await seedSubjects(iso.id, paths.length);
  const withSubject = await measured(replicas[0].pid, {
    url: replicas[0].url,
    method: 'GET',
    okStatus: 200,
    paths: paths.map((path, i) => `${path}&subject_id=subject-${i}`),
    headers: auth,
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  const row = (name, r) => ({
    run: name,
    'req/s': Math.round(r.requestsPerSecond),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'server CPU µs/req': r.cpuPerRequest.toFixed(1),
    'non-200': r.non2xx + r.errors,
  });
  console.log(
    `\n${table([row('bare Fastify GET, same body (baseline)', bare), row('feedback-api GET config (API key, sticky arm, cache)', cached), row('… with subject_id (subject_context, cached ≤ 1 s)', withSubject)])}\n`,
  );
  console.log(
    `feedback-api vs bare Fastify: ${Math.round((cached.requestsPerSecond / bare.requestsPerSecond) * 100)} % of the req/s, ×${(cached.cpuPerRequest / bare.cpuPerRequest).toFixed(1)} the CPU per request`,
  );

  const delays = await propagation(control.setWeight, rolloutId, replicas, auth);
  const sorted = [...delays].sort((a, b) => a - b);
  const quantile = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)].toFixed(1);
  console.log(
    `\npropagation over ${CHANGES} weight changes, until both replicas serve the new weight: p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms, max ${quantile(1)} ms`,
  );
} finally {
  for (const stop of stopAll.reverse()) await stop();
  await iso.drop();
}

/** A load run after a warm-up (the JIT compiles the request path first), with the server's CPU per request. */
async function measured(pid, options) {
  await load({ ...options, seconds: 2 });
  return withServerCpu(pid, () => load(options));
}

/**
 * Flips one probe session between the arms, CHANGES times: at weight = its bucket it is
 * stable, one basis point more and it is canary. Times each change from the setWeight call until
 * both replicas answer the probe with its new arm.
 */
async function propagation(setWeight, rolloutId, replicas, auth) {
  const probe = 'propagation-probe';
  const bucket = armBucket(rolloutId, probe);
  const delays = [];
  for (let i = 0; i < CHANGES; i++) {
    const arm = i % 2 === 0 ? 'canary' : 'stable';
    const started = performance.now();
    await setWeight(rolloutId, arm === 'canary' ? bucket + 1 : bucket);
    await Promise.all(replicas.map((replica) => servedArm(replica.url, probe, arm, auth)));
    delays.push(performance.now() - started);
  }
  return delays;
}

async function servedArm(url, sessionId, arm, headers) {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    const body = await fetch(`${url}/api/v1/agents/${AGENT}/config?session_id=${sessionId}`, { headers }).then((r) =>
      r.json(),
    );
    if (body.arm === arm) return;
  }
  throw new Error(`${url} did not serve arm ${arm} within 10 s`);
}

/** Memory of `count` subjects as oracle-api's loop/memory writes it (the bench may; production code may not). */
async function seedSubjects(schema, count) {
  await sql(
    `INSERT INTO "${schema}".subject_memory_items (id, subject_id, agent_id, kind, text, key, weight, confidence, tags, event_id, updated_at)
     SELECT gen_random_uuid(), 'subject-' || s, '${AGENT}', k.kind, k.text || ' ' || n, k.kind || n, 1 + n % 3, 0.8,
            '{learned,selection_derived}', 'e', now() - make_interval(mins => n)
     FROM generate_series(0, $1 - 1) AS s,
          (VALUES ('GOAL', 'build a REST API with FastAPI', 3), ('PREFERENCE', 'Prefers: Docker', 2),
                  ('HISTORY', 'User requested: deploy api | Selected: Do you want to containerize with Docker?', 20)) AS k(kind, text, times),
          LATERAL generate_series(1, k.times) AS n`,
    [count],
  );
  await sql(
    `INSERT INTO "${schema}".subject_facets (subject_id, name, value, updated_at)
     SELECT 'subject-' || s, f, 0.5, now() FROM generate_series(0, $1 - 1) AS s, unnest('{concise,step_by_step,code_first,formal}'::text[]) AS f`,
    [count],
  );
}

/** An active config:read key, so the run pays for key verification as production does. */
async function createApiKey(schema) {
  const prefix = createHash('sha256').update(schema).digest('hex').slice(0, 8);
  const key = `mlk_${prefix}_${createHash('sha256').update(`${schema}-secret`).digest('base64url').slice(0, 43)}`;
  const hash = createHash('sha256').update(key).digest('hex');
  await sql(
    `INSERT INTO "${schema}".api_keys (id, name, prefix, secret_hash, scopes) VALUES (gen_random_uuid(), 'bench', $1, $2, '{config:read}')`,
    [prefix, hash],
  );
  return key;
}
