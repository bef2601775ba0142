// npm run bench:validation — SPEC-gate throughput: validatePlan over realistic plans (three
// mutations on three agents, one of them in prod) against the default policy, in one process.
// Goal ≥ 1,000 plans/s. Imports the built lib (libs/policies/dist), as the apps run it.
import { pathToFileURL } from 'node:url';
import contracts from '../libs/contracts/dist/index.js';
import policies from '../libs/policies/dist/index.js';

const { agentConfigSchema, planSchema } = contracts;
const { DEFAULT_POLICIES_PATH, loadPolicyFile, validatePlan } = policies;

const common = {
  confidence: 0.82,
  risk: 4,
  expected_impact: { metric: 'p95_latency_ms', direction: 'decrease', relative_change: 0.2 },
  rationale: 'p95 up 31 % (p < 0.001)',
};

function fixture(i) {
  const plan = planSchema.parse({
    confidence: 0.8,
    risk: 4,
    rationale: 'latency regression and low ratings',
    mutations: [
      {
        ...common,
        agent_id: `router_${i % 50}`,
        type: 'ROUTE_CHANGE',
        params: { weights: { a: 65, b: 35 } },
        rollback_spec: { restore_revision_id: 'rev-1', side_effects: ['router_restore'] },
      },
      {
        ...common,
        agent_id: `tuned_${i % 50}`,
        type: 'PARAM_SET',
        params: { set: { temperature: 0.4, max_tokens: 512 }, unset: ['top_k'] },
      },
      {
        ...common,
        agent_id: `memory_${i % 50}`,
        type: 'MEMORY_UPDATE',
        params: { facts: { add: [{ id: `f${i}`, text: 'prefers EU data centres' }], remove: ['f0'] } },
      },
    ],
  });
  const config = agentConfigSchema.parse({
    model: 'gpt-4o',
    prompt: { version: 'v1', template: 'You are helpful.' },
    params: { temperature: 0.7 },
    route: { weights: { a: 80, b: 20 } },
    memory: Array.from({ length: 20 }, (_, k) => ({ id: `f${k}`, text: `fact ${k}` })),
  });
  const agent = (environment) => ({
    environment,
    stable: { revision_id: 'rev-1', config },
    active_rollout_id: null,
    last_mutation_finished_at: '2026-06-01T10:00:00.000Z',
    candidates: { prompt: ['v2'], model: ['gpt-4o-mini'], lora: [], backend: ['a', 'b', 'c'] },
  });
  const state = {
    now: '2026-06-01T12:00:00.000Z',
    freeze: { frozen: false, reason: null },
    agents: Object.fromEntries(plan.mutations.map((m, k) => [m.agent_id, agent(k === 0 ? 'prod' : 'staging')])),
    running_rollouts: 0,
    budget_usage: {
      last_hour_global: 4,
      last_hour_by_environment: { prod: 2, staging: 2 },
      last_day_by_type: { ROUTE_CHANGE: 1 },
    },
    mutations: plan.mutations.map(() => ({ evidence_events: 400, prepare: { ok: true } })),
  };
  return { plan, state };
}

/** Plans validated per second over about `seconds`, after a warm-up. */
export function measureValidation(seconds = 3) {
  const { policy } = loadPolicyFile(DEFAULT_POLICIES_PATH);
  const fixtures = Array.from({ length: 100 }, (_, i) => fixture(i));
  const first = validatePlan(policy, fixtures[0].plan, fixtures[0].state);
  if (!first.overall_passed)
    throw new Error(
      `the benchmark plan should pass: ${JSON.stringify(first.gates.filter((g) => g.status === 'fail'))}`,
    );
  for (let i = 0; i < 5_000; i++) validatePlan(policy, fixtures[i % 100].plan, fixtures[i % 100].state);
  let plans = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(seconds * 1e9);
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 1_000; i++, plans++)
      validatePlan(policy, fixtures[plans % 100].plan, fixtures[plans % 100].state);
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - started) / 1e9;
  return {
    plans,
    seconds: elapsed,
    plansPerSecond: plans / elapsed,
    mutationsPerPlan: fixtures[0].plan.mutations.length,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = measureValidation(Number(process.env.BENCH_SECONDS ?? 3));
  console.log(
    `validatePlan: ${Math.round(result.plansPerSecond).toLocaleString('en')} plans/s ` +
      `(${result.plans.toLocaleString('en')} plans of ${result.mutationsPerPlan} mutations in ${result.seconds.toFixed(2)} s, 8 gates each; goal ≥ 1,000)`,
  );
}
