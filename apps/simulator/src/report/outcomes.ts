import type { RolloutView } from '../api/wire';
import type { AgentTruth, Fleet } from '../truth/fleet';
import { share, spread, type Spread } from './figures';

/*
 * What became of each thing the loop could act on, by its truth class:
 * - better / worse / identical: each needy agent's registered candidate;
 * - fine: each fine agent (any rollout there of its own candidate touched it);
 * - regression: each bad prompt an operator deployed, which the loop should undo by canarying the
 *   replaced prompt back (time to recovery: deploy → that rollout promoted);
 * - dicl: dynamic examples (a rollout whose candidate config turns retrieval on or changes its k),
 *   one unit per agent: each learnable agent (untouched if the loop never tried), and any other
 *   agent the loop tried them on. Truly better wherever the agent's runtime reports its
 *   interactions (the examples exist and help); promoted once any of them was;
 * - other: rollouts of something no candidate is (a rule patch, a parameter change): one unit each.
 */

export const REPORT_CLASSES = ['better', 'worse', 'identical', 'fine', 'regression', 'dicl', 'other'] as const;
export type ReportClass = (typeof REPORT_CLASSES)[number];
export type Outcome = 'promoted' | 'rolled_back' | 'retired' | 'in_progress' | 'failed' | 'untouched' | 'not_injected';

/** A regression the run tried to inject (`ok: false` when the deploy was refused or does not exist). */
export interface RegressionInjection {
  agentId: string;
  atMs: number;
  ok: boolean;
  badVersion: string;
  replacedVersion?: string;
  error?: string;
}

/**
 * A rollout with what the simulator knows about it: its candidate's prompt version, the k of
 * dynamic examples in its candidate and stable configs (null: off; undefined: not known), and
 * when a session first got its canary.
 */
export interface RolloutFacts extends RolloutView {
  candidateVersion: string | undefined;
  candidateDynamicK?: number | null;
  stableDynamicK?: number | null;
  firstCanaryAt: number | undefined;
}

/** A rollout of dynamic examples: its candidate retrieves examples, and not with the k stable does. */
export function isDiclRollout(rollout: Pick<RolloutFacts, 'candidateDynamicK' | 'stableDynamicK'>): boolean {
  const k = rollout.candidateDynamicK;
  return typeof k === 'number' && k !== rollout.stableDynamicK;
}

export interface UnitRollout {
  rollout_id: string;
  status: string;
  created_at: string;
  finished_at: string | null;
  /** From the first canary session (else the rollout's start) to the rollback, seconds. */
  toRollbackSeconds: number | null;
}

export interface Unit {
  class: ReportClass;
  agentId: string;
  version: string | null;
  outcome: Outcome;
  rollouts: UnitRollout[];
  everRolledBack: boolean;
  /** Regressions: deploy → the replaced prompt promoted back, seconds. */
  recoverySeconds?: number | null;
}

export function outcomeOf(status: string): Outcome {
  switch (status) {
    case 'promoted':
    case 'rolled_back':
    case 'retired':
    case 'failed':
      return status;
    default:
      return 'in_progress';
  }
}

/** The class of one rollout of a fleet agent. */
export function classifyRollout(
  agent: AgentTruth,
  rollout: RolloutFacts,
  injection: RegressionInjection | undefined,
): ReportClass {
  if (isDiclRollout(rollout)) return 'dicl';
  const version = rollout.candidateVersion;
  if (injection?.ok && version === injection.replacedVersion && Date.parse(rollout.created_at) >= injection.atMs)
    return 'regression';
  const candidate = agent.candidates.find((c) => c.version === version);
  if (!candidate) return 'other';
  return agent.kind === 'fine' ? 'fine' : candidate.truth;
}

export function buildUnits(
  fleet: Fleet,
  rollouts: readonly RolloutFacts[],
  injections: readonly RegressionInjection[],
): Unit[] {
  const injectionOf = new Map(injections.map((i) => [i.agentId, i]));
  const byAgent = new Map(fleet.agents.map((a) => [a.agentId, a]));
  const grouped = new Map<string, RolloutFacts[]>();
  const units: Unit[] = [];
  for (const rollout of [...rollouts].sort((a, b) => a.created_at.localeCompare(b.created_at))) {
    const agent = byAgent.get(rollout.agent_id);
    if (!agent) continue;
    const cls = classifyRollout(agent, rollout, injectionOf.get(agent.agentId));
    if (cls === 'other') {
      units.push(unit('other', agent.agentId, rollout.candidateVersion ?? null, [rollout]));
      continue;
    }
    const key = `${cls}\u0000${agent.agentId}`;
    grouped.set(key, [...(grouped.get(key) ?? []), rollout]);
  }
  for (const agent of fleet.agents) {
    const candidate = agent.candidates[0];
    if (agent.kind === 'needy' && candidate) {
      units.push(
        unit(
          candidate.truth,
          agent.agentId,
          candidate.version,
          grouped.get(`${candidate.truth}\u0000${agent.agentId}`) ?? [],
        ),
      );
    }
    if (agent.kind === 'fine')
      units.push(
        unit('fine', agent.agentId, candidate?.version ?? null, grouped.get(`fine\u0000${agent.agentId}`) ?? []),
      );
    const dicl = grouped.get(`dicl\u0000${agent.agentId}`) ?? [];
    if (agent.kind === 'learnable' || dicl.length) {
      const tried = unit('dicl', agent.agentId, 'dynamic_examples', dicl);
      // Once promoted, retrieval stays on whatever a later retune does (its rollback restores it).
      if (tried.rollouts.some((r) => r.status === 'promoted')) tried.outcome = 'promoted';
      units.push(tried);
    }
    const injection = injectionOf.get(agent.agentId);
    if (injection) {
      const regression = unit(
        'regression',
        agent.agentId,
        injection.replacedVersion ?? null,
        grouped.get(`regression\u0000${agent.agentId}`) ?? [],
      );
      if (!injection.ok) regression.outcome = 'not_injected';
      const promoted = regression.rollouts.find((r) => r.status === 'promoted' && r.finished_at);
      regression.recoverySeconds = promoted ? (Date.parse(promoted.finished_at!) - injection.atMs) / 1000 : null;
      units.push(regression);
    }
  }
  return units;
}

function unit(cls: ReportClass, agentId: string, version: string | null, rollouts: readonly RolloutFacts[]): Unit {
  const rows = rollouts.map((r): UnitRollout => ({
    rollout_id: r.rollout_id,
    status: r.status,
    created_at: r.created_at,
    finished_at: r.finished_at,
    toRollbackSeconds:
      r.status === 'rolled_back' && r.finished_at ? (Date.parse(r.finished_at) - canaryStart(r)) / 1000 : null,
  }));
  const latest = rows.at(-1);
  return {
    class: cls,
    agentId,
    version,
    outcome: latest ? outcomeOf(latest.status) : 'untouched',
    rollouts: rows,
    everRolledBack: rows.some((r) => r.status === 'rolled_back'),
  };
}

/** The first canary event: the first session served by the canary arm, else the rollout's start. */
function canaryStart(r: RolloutFacts): number {
  return r.firstCanaryAt ?? Date.parse(r.started_at ?? r.created_at);
}

export interface ClassSummary {
  class: ReportClass;
  count: number;
  /** Units with at least one rollout. */
  started: number;
  /** Units whose latest rollout ended (promoted, rolled back, retired or failed). */
  decided: number;
  outcomes: Record<Outcome, number>;
  /** Units ever rolled back (also when a later rollout of the same thing ended otherwise). */
  everRolledBack: number;
  shares: { rolled_back: number | null; promoted: number | null; retired: number | null; untouched: number | null };
  rollbackSeconds: Spread;
  recoverySeconds: Spread | null;
}

export function summarize(units: readonly Unit[]): ClassSummary[] {
  return REPORT_CLASSES.map((cls) => {
    const mine = units.filter((u) => u.class === cls);
    const outcomes: Record<Outcome, number> = {
      promoted: 0,
      rolled_back: 0,
      retired: 0,
      in_progress: 0,
      failed: 0,
      untouched: 0,
      not_injected: 0,
    };
    for (const u of mine) outcomes[u.outcome]++;
    const count = mine.length;
    const recoveries = mine.map((u) => u.recoverySeconds).filter((s): s is number => typeof s === 'number');
    return {
      class: cls,
      count,
      started: mine.filter((u) => u.rollouts.length > 0).length,
      decided: outcomes.promoted + outcomes.rolled_back + outcomes.retired + outcomes.failed,
      outcomes,
      everRolledBack: mine.filter((u) => u.everRolledBack).length,
      shares: {
        rolled_back: share(outcomes.rolled_back, count),
        promoted: share(outcomes.promoted, count),
        retired: share(outcomes.retired, count),
        untouched: share(outcomes.untouched, count),
      },
      rollbackSeconds: spread(
        mine.flatMap((u) => u.rollouts.map((r) => r.toRollbackSeconds)).filter((s): s is number => s !== null),
      ),
      recoverySeconds: cls === 'regression' ? spread(recoveries) : null,
    };
  });
}
