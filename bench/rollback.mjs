// npm run bench:rollback — how fast a bad canary is taken out of service, on the three apps as
// processes (this machine, shared): the time from the 202 of the first breaching event (the 6th
// complaint within 10 minutes, seed 004's hard threshold) to feedback-api serving that session
// the stable config again, with a 1 s analysis interval. Then seed 004's emergency rollback with
// the orchestrator stopped: from the POST /rollback call to stable served.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { isolation, SERVICES, sleep, sql, startApp, table } from './lib/harness.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const policyPath = join(mkdtempSync(join(tmpdir(), 'bench-rollback-')), 'policies.yaml');
// A look every second; half the sessions on the canary; it never passes a step by itself here.
writeFileSync(
  policyPath,
  JSON.stringify({
    canary: { steps: [50, 100], analysis_interval_seconds: 1, min_samples_per_arm: 100_000 },
    cooldown: { per_agent_minutes: 0 },
    concurrency: { max_concurrent_rollouts: 100 },
    budgets: {
      mutations_per_hour: { global: 1000, per_environment: { dev: 1000 } },
      mutations_per_day_by_type: { PROMPT_PATCH: 1000 },
    },
  }),
);

const iso = await isolation('rollback');
const env = {
  ...iso.env,
  POLICIES_PATH: policyPath,
};
const stopAll = [];
const plans = new Queue('plans', { connection: { url: SERVICES.redis }, prefix: iso.id });
try {
  const [feedback, oracle] = await Promise.all([startApp('feedback-api', env), startApp('oracle-api', env)]);
  stopAll.push(feedback.stop, oracle.stop);
  let orchestrator = await startApp('orchestrator', env);
  stopAll.push(() => orchestrator.stop());

  const post = async (url, body, expected) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== expected) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const served = async (agent, session) =>
    await (await fetch(`${feedback.url}/api/v1/agents/${agent}/config?session_id=${session}`)).json();
  /** An agent with a running canary of a new prompt, and a session the canary serves. */
  const canary = async (agent) => {
    const { revision_id: stable } = await post(
      `${oracle.url}/api/v1/agents`,
      { agent_id: agent, environment: 'dev', config: { model: 'm', prompt: { version: 'v1', template: 'Hi.' } } },
      201,
    );
    await post(
      `${oracle.url}/api/v1/agents/${agent}/candidates`,
      { type: 'prompt', version: 'v2', template: 'Hello.' },
      201,
    );
    const [{ id: planId }] =
      await sql(`INSERT INTO "${iso.id}".plans (id, status, source, finding_ids, confidence, risk, expected_impact, rationale, evidence, created_by, updated_at)
      VALUES (gen_random_uuid(), 'queued', 'bench', '{}', 0.9, 2, '[]', 'bench', '{}', 'bench', now()) RETURNING id`);
    await sql(
      `INSERT INTO "${iso.id}".mutations (id, plan_id, ordinal, agent_id, type, params, confidence, risk, expected_impact, rationale, rollback_spec)
      VALUES (gen_random_uuid(), $1, 0, $2, 'PROMPT_PATCH', '{"source":"candidate","version":"v2"}', 0.9, 2, '{}', 'bench', '{}')`,
      [planId, agent],
    );
    await plans.add('execute-plan', { plan_id: planId, requested_by: 'bench' }, { jobId: planId });
    for (let i = 0; ; i++) {
      const [rollout] = await sql(
        `SELECT rollback_key FROM "${iso.id}".rollouts WHERE agent_id = $1 AND status = 'running'`,
        [agent],
      );
      if (rollout) {
        for (let s = 0; ; s++)
          if ((await served(agent, `s${s}`)).arm === 'canary')
            return { stable, session: `s${s}`, rollbackKey: rollout.rollback_key };
      }
      if (i > 200) throw new Error(`the canary of ${agent} did not start`);
      await sleep(50);
    }
  };
  const untilStable = async (agent, session, stable) => {
    while ((await served(agent, session)).revision_id !== stable) await sleep(2);
    return performance.now();
  };
  const complaint = (agent, session) =>
    post(
      `${feedback.url}/api/v1/feedback/collect`,
      {
        agent_id: agent,
        session_id: session,
        explicit: { rating: 1, complaint: 'wrong answer' },
        implicit: { success: true, response_time_ms: 300 },
      },
      202,
    );

  const auto = [];
  for (let run = 0; run < RUNS; run++) {
    const agent = `auto_${run}`;
    const { stable, session } = await canary(agent);
    for (let i = 0; i < 5; i++) await complaint(agent, session);
    await sleep(200 + Math.random() * 1000); // the breach lands anywhere in the analysis interval
    await complaint(agent, session);
    const acked = performance.now();
    auto.push((await untilStable(agent, session, stable)) - acked);
  }

  const emergencies = [];
  for (let run = 0; run < RUNS; run++) emergencies.push({ agent: `sos_${run}`, ...(await canary(`sos_${run}`)) });
  await orchestrator.stop();
  const emergency = [];
  for (const { agent, session, stable, rollbackKey } of emergencies) {
    const called = performance.now();
    await post(`${oracle.url}/api/v1/oracle/rollback`, { rollback_key: rollbackKey, emergency: true }, 200);
    emergency.push((await untilStable(agent, session, stable)) - called);
  }

  const stats = (name, values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(0);
    return { case: name, runs: values.length, 'p50 ms': q(0.5), 'p90 ms': q(0.9), 'max ms': q(1) };
  };
  console.log(
    `\n${table([
      stats('auto-rollback: 6th complaint acked (202) → stable served (1 s analysis interval)', auto),
      stats('emergency rollback, orchestrator stopped: POST /rollback → stable served', emergency),
    ])}\n`,
  );
} finally {
  await plans.close();
  for (const stop of stopAll.reverse()) await stop();
  await iso.drop();
}
