import { randomBytes } from 'node:crypto';
import { MetaloopClient, type Endpoints } from '../api/client';
import type { PolicyFigures, RolloutView } from '../api/wire';
import { FleetDriver, type DriverStats } from '../driver/fleet-driver';
import { registerFleet } from '../efficacy/register-fleet';
import { RegressionInjector } from '../efficacy/regressions';
import { Ticker } from '../loop/ticker';
import type { AgentTruth, Fleet } from '../truth/fleet';
import { demoFleet } from './demo-fleet';
import { startFlywheel, type Flywheel } from './flywheel';
import { rolloutChanges, tickLine, waitingFor, type AgentPicture } from './live-view';

export interface DemoOptions {
  endpoints: Endpoints;
  seed: number;
  /** Mean sessions per second over the demo's agents. */
  rate: number;
  tickSeconds: number;
  windowHours: number;
  /** Feedback in batches (`collect/bulk`) rather than one request per session. */
  bulk: boolean;
  /** Give up after this long. */
  minutes: number;
  /** Seconds into the run at which the operator deploys a bad prompt on the `regress` agent; null: no regression. */
  regressionAtSeconds: number | null;
  /**
   * The learning flywheel: the stand-in trainer on this port, oracle-api's TRAINER_URL pointing at
   * it and signing with this TRAINER_SECRET, and a `learner` agent only a trained model helps.
   */
  trainer: { port: number; secret: string } | null;
  log: (line: string) => void;
  /** Aborted on Ctrl-C: the demo stops its traffic and ticks and says what happened so far. */
  signal: AbortSignal;
}

const POLL_MS = 2_000;
const PICTURE_EVERY_MS = 15_000;

/** The loop, live: a small fleet against the running mesh, printing what the loop does. Resolves true when everything expected happened. */
export async function runDemo(o: DemoOptions): Promise<boolean> {
  const client = new MetaloopClient(o.endpoints);
  const log = o.log;
  await reachable(o.endpoints);
  const policy = await client.policy();
  log(describePolicy(policy));

  const fleet = demoFleet({
    seed: o.seed,
    idPrefix: `demo-${randomBytes(2).toString('hex')}`,
    regressionAtSeconds: o.regressionAtSeconds,
    learner: o.trainer !== null,
  });
  let flywheel: Flywheel | undefined;
  if (o.trainer) {
    flywheel = await startFlywheel({ endpoints: o.endpoints, fleet, ...o.trainer, log });
    log(
      `stand-in trainer at ${flywheel.trainer.url}: oracle-api must run with TRAINER_URL=${flywheel.trainer.url} and the same TRAINER_SECRET (README "Efficacy benchmark and demo")`,
    );
  }
  await registerFleet(client, fleet);
  for (const agent of fleet.agents) log(describeAgent(agent));

  const driver = new FleetDriver({
    client,
    fleet,
    load: { meanRate: o.rate, periodSeconds: 600, amplitude: 0 },
    runTag: `demo-${randomBytes(3).toString('hex')}`,
    maxInFlight: 128,
    bulk: o.bulk,
    windowSeconds: 10,
    trainer: flywheel?.trainer,
  });
  let ticks = 0;
  const ticker = new Ticker(client, {
    intervalMs: o.tickSeconds * 1000,
    windowHours: o.windowHours,
    afterTick: (t) => log(tickLine(++ticks, t.result, t.clientMs, t.error)),
  });
  const injector = new RegressionInjector(client, fleet, log);
  const startedAt = Date.now();
  log(
    `driving ${o.rate} sessions/s over ${fleet.agents.length} agents and ticking every ${o.tickSeconds} s (Ctrl-C stops)…`,
  );
  driver.start(startedAt);
  ticker.start();
  injector.start(startedAt);

  const seen = new Map<string, RolloutView>();
  const nameOf = (agentId: string) => agentId.slice(agentId.lastIndexOf('-') + 1);
  let lastPicture = Date.now();
  let previousStats = driver.snapshot();
  let finished = false;
  try {
    while (!o.signal.aborted && Date.now() - startedAt < o.minutes * 60_000) {
      await sleep(POLL_MS, o.signal);
      const rollouts = (
        await Promise.all(fleet.agents.map((a) => client.rollouts(a.agentId).catch(() => [] as RolloutView[])))
      ).flat();
      for (const line of rolloutChanges(seen, rollouts, nameOf)) log(line);
      await explainEndings(client, seen, rollouts, nameOf, log);
      for (const r of rollouts) seen.set(r.rollout_id, r);
      await flywheel?.report();
      finished = expectationsMet(fleet, rollouts, injector);
      if (finished) break;
      if (Date.now() - lastPicture >= PICTURE_EVERY_MS) {
        const stats = driver.snapshot();
        await picture(client, fleet, rollouts, stats, previousStats, injector, log);
        previousStats = stats;
        lastPicture = Date.now();
      }
    }
  } finally {
    await ticker.stop();
    await injector.stop();
    await driver.stop();
    await flywheel?.close();
  }
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  log(
    finished
      ? `everything the truth called for happened within ${seconds} s:`
      : `stopped after ${seconds} s, before everything the truth calls for happened (the lines above say what the loop was waiting for):`,
  );
  for (const agent of fleet.agents) {
    const outcomes = [...seen.values()].filter((r) => r.agent_id === agent.agentId).map((r) => r.status);
    log(
      `  ${nameOf(agent.agentId)} (expected: ${expectation(agent)}): ${outcomes.length ? outcomes.join(', ') : 'no rollout'}`,
    );
  }
  return finished;
}

async function reachable(endpoints: Endpoints): Promise<void> {
  for (const [name, url] of [
    ['feedback-api', endpoints.feedbackUrl],
    ['oracle-api', endpoints.oracleUrl],
  ] as const) {
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (!ok)
      throw new Error(
        `${name} is not ready at ${url} — start the mesh with \`npm start\` (or point FEEDBACK_API_URL / ORACLE_API_URL at it)`,
      );
  }
}

function describePolicy(p: PolicyFigures): string {
  return (
    `policy in force: canary steps ${p.canary.steps.join('→')} %, a look every ${p.canary.analysis_interval_seconds} s, ` +
    `${p.canary.min_samples_per_arm} samples per arm before a step passes, ${p.budgets.mutations_per_hour.global} mutations/h, ` +
    `${p.concurrency.max_concurrent_rollouts} rollouts at once, cooldown ${p.cooldown.per_agent_minutes} min`
  );
}

function describeAgent(a: AgentTruth): string {
  const name = a.agentId.slice(a.agentId.lastIndexOf('-') + 1);
  const candidates = a.candidates
    .map((c) => `registered candidate ${c.version}: truly ${c.truth} (quality ${c.quality})`)
    .join('; ');
  const regression = a.regression
    ? `; at ${a.regression.atSeconds} s an operator deploys ${a.regression.prompt.version} (quality ${a.regression.prompt.quality})`
    : '';
  const learner = a.artifacts
    ? '; nothing registered, its runtime sends each query and answer: only a model trained on its good interactions helps'
    : '';
  return `agent ${a.agentId} (${name}): ${Math.round(a.weight * 100)} % of the traffic, stable ${a.stable.version} of true quality ${a.stable.quality}${candidates ? `; ${candidates}` : ''}${regression}${learner}`;
}

/** The reason behind each rollout that just ended, from its last decision when it says more than the status. */
async function explainEndings(
  client: MetaloopClient,
  seen: ReadonlyMap<string, RolloutView>,
  rollouts: readonly RolloutView[],
  nameOf: (id: string) => string,
  log: (line: string) => void,
): Promise<void> {
  for (const r of rollouts) {
    if (['running', 'pending', 'paused'].includes(r.status) || seen.get(r.rollout_id)?.status === r.status) continue;
    const detail = await client.rollout(r.rollout_id).catch(() => null);
    const last = detail?.decisions.at(-1);
    if (last && last.reason !== r.status_reason)
      log(`   ${nameOf(r.agent_id)}: the monitor's last decision (${last.action} at ${last.weight} %): ${last.reason}`);
  }
}

async function picture(
  client: MetaloopClient,
  fleet: Fleet,
  rollouts: readonly RolloutView[],
  stats: DriverStats,
  before: DriverStats,
  injector: RegressionInjector,
  log: (line: string) => void,
): Promise<void> {
  const dt = Math.max(0.001, stats.elapsed - before.elapsed);
  const errors = Object.entries(stats.errors)
    .map(([k, v]) => `${v}× ${k}`)
    .join(', ');
  log(
    `— ${Math.round(stats.elapsed)} s: ${((stats.completed - before.completed) / dt).toFixed(0)} sessions/s${errors ? `, errors so far: ${errors}` : ''}`,
  );
  for (const agent of fleet.agents) {
    const mine = rollouts.filter((r) => r.agent_id === agent.agentId);
    const active = mine.find((r) => ['running', 'pending', 'paused'].includes(r.status));
    const detail = active ? await client.rollout(active.rollout_id).catch(() => null) : null;
    const findings = await client.findings(agent.agentId).catch(() => []);
    const now = stats.perAgent[agent.index]!;
    const then = before.perAgent[agent.index]!;
    const pictureOf: AgentPicture = {
      name: agent.agentId.slice(agent.agentId.lastIndexOf('-') + 1),
      expect: expectation(agent),
      rollouts: mine,
      lastDecision: detail?.decisions.at(-1),
      findings,
      broken: injector.injections.some((i) => i.agentId === agent.agentId && i.ok),
      canaryShare: (now.canary - then.canary) / Math.max(1, now.sessions - then.sessions),
    };
    log(`  ${waitingFor(pictureOf)}`);
  }
}

function expectation(agent: AgentTruth): AgentPicture['expect'] {
  if (agent.regression) return 'recover';
  if (agent.artifacts) return 'train';
  const truth = agent.candidates[0]?.truth;
  return truth === 'better' ? 'promote' : truth === 'worse' ? 'rollback' : 'nothing';
}

/**
 * Everything the truth says should happen did: better promoted, worse ended, the regression undone
 * (or not injectable), and with the flywheel the learner's trained adapter promoted.
 */
function expectationsMet(fleet: Fleet, rollouts: readonly RolloutView[], injector: RegressionInjector): boolean {
  return fleet.agents.every((agent) => {
    const mine = rollouts.filter((r) => r.agent_id === agent.agentId);
    switch (expectation(agent)) {
      case 'promote':
        return mine.some((r) => r.status === 'promoted');
      case 'train':
        return mine.some((r) => r.status === 'promoted' && r.mutation_type === 'LORA_APPLY');
      case 'rollback':
        return mine.some((r) => !['running', 'pending', 'paused'].includes(r.status));
      case 'recover': {
        const injection = injector.injections.find((i) => i.agentId === agent.agentId);
        return (
          injection !== undefined &&
          (!injection.ok || mine.some((r) => r.status === 'promoted' && Date.parse(r.created_at) >= injection.atMs))
        );
      }
      case 'nothing':
        return true;
    }
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });
}
