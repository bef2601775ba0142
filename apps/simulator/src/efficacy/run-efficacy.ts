import { randomBytes } from 'node:crypto';
import { MetaloopClient, type Endpoints } from '../api/client';
import type { RolloutView } from '../api/wire';
import { FleetDriver } from '../driver/fleet-driver';
import { Ticker, type TickRecord } from '../loop/ticker';
import { buildReport, type EfficacyReport } from '../report/efficacy-report';
import type { RolloutFacts } from '../report/outcomes';
import { countByWhy, stalledFindings, type StallCheck } from '../report/stalled';
import { buildFleet } from '../truth/fleet';
import type { EfficacyArgs } from '../cli/options';
import { registerFleet } from './register-fleet';
import { RegressionInjector } from './regressions';

/** The benchmark's options as the command line gives them, with where the mesh is and where to log. */
export interface EfficacyOptions extends EfficacyArgs {
  endpoints: Endpoints;
  log: (line: string) => void;
}

const PROGRESS_EVERY_MS = 30_000;

/**
 * One efficacy run against a running mesh: registers the fleet, drives its sessions, ticks the
 * loop, injects the regressions, and reconstructs from the read APIs what the loop did.
 */
export async function runEfficacy(o: EfficacyOptions): Promise<EfficacyReport> {
  const began = Date.now();
  const client = new MetaloopClient(o.endpoints);
  const policy = await client.policy();
  const runSeconds = o.minutes * 60;
  const fleet = buildFleet({
    seed: o.seed,
    agents: o.agents,
    idPrefix: `eff-${randomBytes(2).toString('hex')}`,
    runSeconds,
    ...(o.learnable !== undefined && { learnable: o.learnable }),
    artifacts: o.artifacts,
  });
  const learnable = fleet.agents.filter((a) => a.kind === 'learnable').length;
  o.log(`registering ${fleet.agents.length} agents and their candidates (${learnable} learnable: none)…`);
  const registration = await registerFleet(client, fleet);

  const driver = new FleetDriver({
    client,
    fleet,
    load: { meanRate: o.rate, periodSeconds: o.dayPeriodSeconds, amplitude: o.dayAmplitude },
    runTag: `s${o.seed}-${randomBytes(3).toString('hex')}`,
    maxInFlight: o.maxInFlight,
    bulk: o.bulk,
    windowSeconds: o.windowSeconds,
  });
  const stallChecks: StallCheck[] = [];
  const ticker = new Ticker(client, {
    intervalMs: o.tickSeconds * 1000,
    windowHours: o.windowHours,
    afterTick: async (tick) => {
      if (tick.status === 'succeeded') stallChecks.push(await stallCheck(client, new Set(stallChecks.at(-1)?.open)));
    },
  });
  const injector = new RegressionInjector(client, fleet, o.log);

  const startedAt = Date.now();
  o.log(`driving ${o.rate} sessions/s (mean) for ${o.minutes} min, a tick every ${o.tickSeconds} s…`);
  driver.start(startedAt);
  ticker.start();
  injector.start(startedAt);
  const progress = setInterval(
    () => void reportProgress(client, driver, ticker.records, stallChecks, o.log),
    PROGRESS_EVERY_MS,
  );
  await new Promise((resolve) => setTimeout(resolve, runSeconds * 1000));
  clearInterval(progress);

  // The last check runs after the last tick, while the fleet is still being served.
  await ticker.stop();
  await injector.stop();
  const [rollouts, findings, plans] = await Promise.all([client.rollouts(), client.findings(), client.plans()]);
  await driver.stop();
  const traffic = driver.snapshot();
  if (!traffic.queryAccepted)
    o.log('feedback-api refused the config fetch’s query (no retrieval on this mesh): sessions fetched without it');
  const facts = await rolloutFacts(client, rollouts, driver);

  return buildReport({
    run: {
      seed: o.seed,
      agents: o.agents,
      minutes: o.minutes,
      targetRate: o.rate,
      feedback: o.bulk ? 'bulk' : 'single',
      artifacts: o.artifacts,
      tickSeconds: o.tickSeconds,
      windowHours: o.windowHours,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date().toISOString(),
      wallSeconds: (Date.now() - began) / 1000,
    },
    policy,
    fleet,
    startedAtMs: startedAt,
    registration,
    traffic,
    windows: driver.series.windows(),
    learnableWindows: driver.learnableSeries.windows(),
    windowSeconds: o.windowSeconds,
    rollouts: facts,
    injections: injector.injections,
    findings,
    plans,
    stallChecks,
    ticks: ticker.records,
  });
}

async function stallCheck(client: MetaloopClient, openBefore: ReadonlySet<string>): Promise<StallCheck> {
  const at = Date.now();
  const [findings, plans] = await Promise.all([client.findings(), client.plans()]);
  const stalled = stalledFindings(findings, plans, openBefore);
  return {
    at,
    stalled,
    byWhy: countByWhy(stalled),
    open: findings.filter((f) => f.status === 'open').map((f) => f.finding_id),
  };
}

/**
 * Each rollout's candidate prompt version and the k of dynamic examples in its candidate and
 * stable configs: from what sessions were served, else from the registry (each revision asked once).
 */
async function rolloutFacts(
  client: MetaloopClient,
  rollouts: RolloutView[],
  driver: FleetDriver,
): Promise<RolloutFacts[]> {
  const asked = new Map<string, Promise<{ version?: string; dynamicK?: number | null }>>();
  const revision = (agentId: string, revisionId: string) => {
    if (driver.promptOfRevision.has(revisionId) && driver.dynamicKOfRevision.has(revisionId))
      return Promise.resolve({
        version: driver.promptOfRevision.get(revisionId),
        dynamicK: driver.dynamicKOfRevision.get(revisionId),
      });
    let answer = asked.get(revisionId);
    if (!answer) {
      answer = client.revision(agentId, revisionId).then(
        (rev) => ({ version: rev.config.prompt.version, dynamicK: rev.config.dynamic_examples?.k ?? null }),
        () => ({}),
      );
      asked.set(revisionId, answer);
    }
    return answer;
  };
  return Promise.all(
    rollouts.map(async (r) => {
      const [candidate, stable] = await Promise.all([
        revision(r.agent_id, r.candidate_revision_id),
        revision(r.agent_id, r.stable_revision_id),
      ]);
      return {
        ...r,
        candidateVersion: candidate.version,
        candidateDynamicK: candidate.dynamicK,
        stableDynamicK: stable.dynamicK,
        firstCanaryAt: driver.firstCanaryAt.get(r.rollout_id),
      };
    }),
  );
}

async function reportProgress(
  client: MetaloopClient,
  driver: FleetDriver,
  ticks: readonly TickRecord[],
  checks: readonly StallCheck[],
  log: (line: string) => void,
): Promise<void> {
  const s = driver.snapshot();
  const rollouts = await client.rollouts().catch(() => [] as RolloutView[]);
  const byStatus: Record<string, number> = {};
  for (const r of rollouts) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const last = ticks.at(-1);
  const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
  log(
    `t=${Math.round(s.elapsed)}s  ${(s.completed / Math.max(1, s.elapsed)).toFixed(0)} sessions/s, ${s.shed} shed, ${errors} errors  ` +
      `rollouts ${
        Object.entries(byStatus)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'none'
      }  ` +
      `ticks ${ticks.length}${last ? ` (last ${last.status}, ${last.clientMs} ms)` : ''}  stalled ${checks.at(-1)?.stalled.length ?? 'n/a'}`,
  );
}
