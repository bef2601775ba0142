import type { FindingView, PlanView, PolicyFigures } from '../api/wire';
import type { DriverStats } from '../driver/fleet-driver';
import type { RegistrationResult } from '../efficacy/register-fleet';
import type { TickRecord } from '../loop/ticker';
import { bestQuality, type Fleet } from '../truth/fleet';
import { budgetRows, type BudgetRow } from './budget';
import { spread, type Spread } from './figures';
import { judgeGoals, type Goal } from './goals';
import { learnableFigures, type LearnableFigures } from './learnable';
import {
  buildUnits,
  classifyRollout,
  isDiclRollout,
  summarize,
  type ClassSummary,
  type RegressionInjection,
  type ReportClass,
  type RolloutFacts,
  type Unit,
} from './outcomes';
import { netGain, type QualityWindow } from './quality-series';
import { STALLED_DEFINITION, type StallCheck } from './stalled';

/** Everything one efficacy run measured, as written to efficacy-seed<N>.json. */
export interface EfficacyReport {
  run: {
    seed: number;
    agents: number;
    minutes: number;
    targetRate: number;
    /** How sessions posted their feedback: batched (`collect/bulk`) or one `collect` each. */
    feedback: 'bulk' | 'single';
    /** Whose runtimes sent artifacts (query and answer): the learnable agents only, or all. */
    artifacts: 'learnable' | 'all';
    tickSeconds: number;
    windowHours: number;
    startedAt: string;
    finishedAt: string;
    /** The whole run, setup and collection included. */
    wallSeconds: number;
  };
  policy: {
    steps: number[];
    analysis_interval_seconds: number;
    min_samples_per_arm: number;
    max_step_duration_minutes: number;
    on_inconclusive: string | null;
    cooldown_minutes: number;
    mutations_per_hour: number;
    max_concurrent_rollouts: number;
  };
  fleet: {
    needy: number;
    fine: number;
    learnable: number;
    /** Agents whose runtimes send artifacts (query and answer) with their feedback. */
    withArtifacts: number;
    candidates: Record<string, number>;
    regressions: number;
    bestQuality: number;
  };
  registration: { agents: number; notReadableAtOnce: number; readableAfterMs: Spread };
  traffic: DriverStats & { achievedRate: number };
  classes: ClassSummary[];
  units: Unit[];
  /** Issue 15: the learnable agents, dynamic examples and their true quality before and after. */
  learnable: LearnableFigures;
  quality: {
    windowSeconds: number;
    windows: QualityWindow[];
    first: number | null;
    last: number | null;
    netGain: number | null;
  };
  mutationsStarted: number;
  budget: BudgetRow[];
  stalled: {
    definition: string;
    atEnd: number | null;
    atEndByWhy: Record<string, number>;
    maxDuringRun: number;
    checks: number;
    history: Array<{ seconds: number; count: number }>;
  };
  ticks: {
    count: number;
    statuses: Record<string, number>;
    clientMs: Spread;
    serverMs: Spread;
    lastSummaries: string[];
  };
  findings: {
    byStatus: Record<string, number>;
    deferredReasons: Record<string, number>;
    items: Array<
      Pick<FindingView, 'agent_id' | 'type' | 'status' | 'severity' | 'confidence' | 'summary'> & {
        deferred_reason: string | null;
        deferred_detail: string | null;
      }
    >;
  };
  plans: { byStatus: Record<string, number> };
  timeline: {
    rollouts: Array<{
      rollout_id: string;
      agent_id: string;
      class: ReportClass;
      version: string | null;
      /** k of the dynamic examples its candidate turns on or retunes to; null for other rollouts. */
      dynamicK: number | null;
      /** Types of the agent's findings its plan was made for. */
      findings: string[];
      created: number;
      finished: number | null;
      status: string;
      reason: string | null;
    }>;
    regressions: Array<{ agent_id: string; seconds: number; ok: boolean; error?: string }>;
  };
  goals: Goal[];
}

export interface ReportInputs {
  run: EfficacyReport['run'];
  policy: PolicyFigures;
  fleet: Fleet;
  startedAtMs: number;
  registration: RegistrationResult;
  traffic: DriverStats;
  windows: QualityWindow[];
  /** Windows of the learnable agents' sessions, grouped by agent id. */
  learnableWindows: QualityWindow[];
  windowSeconds: number;
  rollouts: RolloutFacts[];
  injections: RegressionInjection[];
  findings: FindingView[];
  plans: PlanView[];
  stallChecks: StallCheck[];
  ticks: TickRecord[];
}

export function buildReport(i: ReportInputs): EfficacyReport {
  const { fleet, policy } = i;
  const agentOf = new Map(fleet.agents.map((a) => [a.agentId, a]));
  const units = buildUnits(fleet, i.rollouts, i.injections);
  const classes = summarize(units);
  const gain = netGain(i.windows);
  const learnable = learnableFigures({
    fleet,
    units,
    windows: i.windows,
    perAgentWindows: i.learnableWindows,
    candidatesByAgent: i.registration.candidatesByAgent,
    perAgent: i.traffic.perAgent,
    startedAtMs: i.startedAtMs,
  });
  const budget = budgetRows(i.rollouts, (id) => agentOf.get(id)?.environment, policy);
  const lastCheck = i.stallChecks.at(-1);
  const since = (iso: string | null) => (iso ? (Date.parse(iso) - i.startedAtMs) / 1000 : null);
  const injectionOf = new Map(i.injections.map((x) => [x.agentId, x]));
  const planOf = new Map(i.plans.map((p) => [p.plan_id, p]));
  const findingOf = new Map(i.findings.map((f) => [f.finding_id, f]));
  const findingsBehind = (r: RolloutFacts) =>
    (planOf.get(r.plan_id ?? '')?.finding_ids ?? [])
      .map((id) => findingOf.get(id))
      .filter((f): f is FindingView => f?.agent_id === r.agent_id)
      .map((f) => f.type);
  return {
    run: i.run,
    policy: {
      steps: policy.canary.steps,
      analysis_interval_seconds: policy.canary.analysis_interval_seconds,
      min_samples_per_arm: policy.canary.min_samples_per_arm,
      max_step_duration_minutes: policy.canary.max_step_duration_minutes,
      on_inconclusive: policy.canary.on_inconclusive ?? null,
      cooldown_minutes: policy.cooldown.per_agent_minutes,
      mutations_per_hour: policy.budgets.mutations_per_hour.global,
      max_concurrent_rollouts: policy.concurrency.max_concurrent_rollouts,
    },
    fleet: {
      needy: fleet.agents.filter((a) => a.kind === 'needy').length,
      fine: fleet.agents.filter((a) => a.kind === 'fine').length,
      learnable: fleet.agents.filter((a) => a.kind === 'learnable').length,
      withArtifacts: fleet.agents.filter((a) => a.artifacts).length,
      candidates: countBy(
        fleet.agents.filter((a) => a.kind === 'needy').flatMap((a) => a.candidates.map((c) => c.truth)),
      ),
      regressions: fleet.agents.filter((a) => a.regression).length,
      bestQuality: fleet.agents.reduce((sum, a) => sum + a.weight * bestQuality(a), 0),
    },
    registration: {
      agents: i.registration.agents,
      notReadableAtOnce: i.registration.notReadableAtOnce,
      readableAfterMs: spread(i.registration.readableAfterMs),
    },
    traffic: { ...i.traffic, achievedRate: i.traffic.completed / Math.max(1, i.traffic.elapsed) },
    classes,
    units,
    learnable,
    quality: {
      windowSeconds: i.windowSeconds,
      windows: i.windows,
      first: gain?.first.quality ?? null,
      last: gain?.last.quality ?? null,
      netGain: gain?.gain ?? null,
    },
    mutationsStarted: i.rollouts.length,
    budget,
    stalled: {
      definition: STALLED_DEFINITION,
      atEnd: lastCheck ? lastCheck.stalled.length : null,
      atEndByWhy: lastCheck?.byWhy ?? {},
      maxDuringRun: Math.max(0, ...i.stallChecks.map((c) => c.stalled.length)),
      checks: i.stallChecks.length,
      history: i.stallChecks.map((c) => ({ seconds: (c.at - i.startedAtMs) / 1000, count: c.stalled.length })),
    },
    ticks: {
      count: i.ticks.length,
      statuses: countBy(i.ticks.map((t) => t.status)),
      clientMs: spread(i.ticks.map((t) => t.clientMs)),
      serverMs: spread(i.ticks.map((t) => t.serverMs).filter((ms): ms is number => ms !== null)),
      lastSummaries: i.ticks.slice(-3).map((t) => t.summary),
    },
    findings: {
      byStatus: countBy(i.findings.map((f) => `${f.type} ${f.status}`)),
      deferredReasons: countBy(
        i.findings.filter((f) => f.status === 'deferred').map((f) => f.deferred_reason ?? 'none given'),
      ),
      items: i.findings.map((f) => ({
        agent_id: f.agent_id,
        type: f.type,
        status: f.status,
        severity: f.severity,
        confidence: f.confidence,
        summary: f.summary,
        deferred_reason: f.deferred_reason ?? null,
        deferred_detail: f.deferred_detail ?? null,
      })),
    },
    plans: { byStatus: countBy(i.plans.map((p) => p.status)) },
    timeline: {
      rollouts: i.rollouts.flatMap((r) => {
        const agent = agentOf.get(r.agent_id);
        if (!agent) return [];
        return [
          {
            rollout_id: r.rollout_id,
            agent_id: r.agent_id,
            class: classifyRollout(agent, r, injectionOf.get(r.agent_id)),
            version: r.candidateVersion ?? null,
            dynamicK: isDiclRollout(r) ? (r.candidateDynamicK ?? null) : null,
            findings: findingsBehind(r),
            created: since(r.created_at)!,
            finished: since(r.finished_at),
            status: r.status,
            reason: r.status_reason,
          },
        ];
      }),
      regressions: i.injections.map((x) => ({
        agent_id: x.agentId,
        seconds: (x.atMs - i.startedAtMs) / 1000,
        ok: x.ok,
        ...(x.error && { error: x.error }),
      })),
    },
    goals: judgeGoals({
      classes,
      stalledMax: lastCheck ? Math.max(...i.stallChecks.map((c) => c.stalled.length)) : null,
      budget,
      netGain: gain?.gain ?? null,
      learnable,
    }),
  };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
