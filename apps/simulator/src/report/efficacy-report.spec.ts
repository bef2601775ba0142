import type { PolicyFigures } from '../api/wire';
import { buildFleet } from '../truth/fleet';
import { buildReport } from './efficacy-report';
import type { RolloutFacts } from './outcomes';
import { spread } from './figures';
import { QualitySeries } from './quality-series';
import { renderHtml } from './render-html';
import { renderText } from './render-text';

const policy = {
  budgets: {
    mutations_per_hour: { global: 6, per_environment: { dev: 6, staging: 6, prod: 6 } },
    mutations_per_day_by_type: { PROMPT_PATCH: 6 },
  },
  concurrency: { max_concurrent_rollouts: 2 },
  cooldown: { per_agent_minutes: 1 },
  canary: {
    steps: [10, 50, 100],
    analysis_interval_seconds: 2,
    min_samples_per_arm: 30,
    max_step_duration_minutes: 4,
    on_inconclusive: 'retire',
  },
} as PolicyFigures;

describe('the efficacy report', () => {
  const fleet = buildFleet({ seed: 3, agents: 8, idPrefix: 'eff-0001', runSeconds: 240 });
  const t0 = Date.parse('2026-12-07T10:00:00Z');
  const better = fleet.agents.find((a) => a.kind === 'needy' && a.candidates[0]!.truth === 'better')!;
  const learner = fleet.agents.find((a) => a.kind === 'learnable')!;
  const rollouts: RolloutFacts[] = [
    {
      rollout_id: 'r1',
      agent_id: better.agentId,
      plan_id: '00000000-0000-4000-8000-000000000001',
      status: 'rolled_back',
      weight: 0,
      step_index: 0,
      steps: [10, 50, 100],
      stable_revision_id: 's',
      candidate_revision_id: 'c',
      mutation_type: 'PROMPT_PATCH',
      status_reason: '7 canary complaints in the last 10 min, more than 5',
      started_at: new Date(t0 + 20_000).toISOString(),
      finished_at: new Date(t0 + 50_000).toISOString(),
      created_at: new Date(t0 + 19_000).toISOString(),
      candidateVersion: 'v2',
      firstCanaryAt: t0 + 21_000,
    },
    {
      rollout_id: 'r2',
      agent_id: learner.agentId,
      plan_id: null,
      status: 'promoted',
      weight: 100,
      step_index: 2,
      steps: [10, 50, 100],
      stable_revision_id: 's2',
      candidate_revision_id: 'c2',
      mutation_type: 'MEMORY_UPDATE',
      status_reason: 'canary better',
      started_at: new Date(t0 + 60_000).toISOString(),
      finished_at: new Date(t0 + 120_000).toISOString(),
      created_at: new Date(t0 + 59_000).toISOString(),
      candidateVersion: 'v1',
      candidateDynamicK: 4,
      stableDynamicK: null,
      firstCanaryAt: t0 + 61_000,
    },
  ];
  const series = new QualitySeries(30);
  const learnerSeries = new QualitySeries(30);
  for (let s = 0; s < 240; s++) {
    series.add(s, 'needy', 0.5, false);
    const q = s < 120 ? 0.4 : 0.75;
    series.add(s, 'learnable', q, false);
    learnerSeries.add(s, learner.agentId, q, false);
  }
  const report = buildReport({
    run: {
      seed: 3,
      agents: 8,
      minutes: 4,
      targetRate: 100,
      feedback: 'bulk',
      artifacts: 'learnable',
      tickSeconds: 5,
      windowHours: 0.05,
      startedAt: new Date(t0).toISOString(),
      finishedAt: new Date(t0 + 240_000).toISOString(),
      wallSeconds: 250,
    },
    policy,
    fleet,
    startedAtMs: t0,
    registration: {
      agents: 8,
      candidates: 7,
      candidatesByAgent: Object.fromEntries(fleet.agents.map((a) => [a.agentId, a.candidates.length])),
      notReadableAtOnce: 2,
      readableAfterMs: [3, 40],
    },
    traffic: {
      elapsed: 240,
      sessions: 240,
      completed: 240,
      canary: 12,
      shed: 0,
      errors: {},
      unknownVersions: {},
      perAgent: fleet.agents.map((a) =>
        a === learner
          ? { sessions: 240, canary: 20, retrieved: 130, helped: 120 }
          : { sessions: 0, canary: 0, retrieved: 0, helped: 0 },
      ),
      queryAccepted: true,
      latencyMs: { config: spread([2, 3]), collect: spread([5]) },
    },
    windows: series.windows(),
    learnableWindows: learnerSeries.windows(),
    windowSeconds: 30,
    rollouts,
    injections: [],
    findings: [
      {
        finding_id: 'f1',
        type: 'complaint_burst',
        agent_id: better.agentId,
        revision_id: null,
        severity: 'high',
        confidence: 1,
        summary: '9 complaints',
        status: 'resolved',
      },
      {
        finding_id: 'f2',
        type: 'dissatisfaction',
        agent_id: 'someone-else',
        revision_id: null,
        severity: 'high',
        confidence: 1,
        summary: '',
        status: 'planned',
      },
    ],
    plans: [
      {
        plan_id: '00000000-0000-4000-8000-000000000001',
        status: 'failed',
        finding_ids: ['f1', 'f2'],
        mutations: [],
        created_at: '',
        updated_at: '',
      },
    ],
    stallChecks: [{ at: t0 + 235_000, stalled: [], byWhy: {}, open: [] }],
    ticks: [
      { at: t0, clientMs: 40, serverMs: 35, status: 'succeeded', summary: 'analyze: 1 open finding(s)', result: null },
    ],
  });

  it('says which goals failed, and why a change that was truly better was rolled back', () => {
    const text = renderText(report);
    expect(text).toContain(
      'FAIL  ≤ 2 % of better or identical candidates rolled back — 1/1 = 100.0 % of the better and identical candidates started',
    );
    expect(text).toContain('PASS  0 stalled findings — at most 0 at any check after a tick');
    expect(text).toContain('PASS  net true-quality gain > 0 — +0.175 (last window − first)');
    expect(text).toContain('1× better: # canary complaints in the last # min, more than #');
    expect(text).toContain('2 not readable on feedback-api right after the 201');
    expect(text).toContain('rollouts by the findings they were planned for:\n  1× better: complaint_burst');
    expect(report.classes.find((c) => c.class === 'better')!.rollbackSeconds.median).toBe(29);
  });

  it('shows the learnable agent’s dynamic examples promoted and its true quality before and after', () => {
    expect(report.classes.find((c) => c.class === 'dicl')).toMatchObject({ count: 1, outcomes: { promoted: 1 } });
    expect(report.learnable).toMatchObject({ count: 1, promoted: 1, candidatesRegistered: 0 });
    expect(report.learnable.before).toBeCloseTo(0.4, 10);
    expect(report.learnable.after).toBeCloseTo(0.75, 10);
    expect(report.learnable.agents[0]).toMatchObject({
      agentId: learner.agentId,
      outcome: 'promoted',
      promotedAtSeconds: 120,
      helped: 120,
    });
    expect(report.learnable.agents[0]!.gain).toBeCloseTo(0.35, 10);
    const text = renderText(report);
    expect(text).toContain(
      'PASS  ≥ 1 learnable agent got dynamic examples promoted, with nothing registered by hand — 1/1 learnable agents; 0 candidates registered for them',
    );
    expect(text).toContain(
      'PASS  learnable agents’ true quality gain > 0 — 0.400 → 0.750 (+0.350, last window − first)',
    );
    expect(text).toContain(`learnable agents: 1/1 got dynamic examples promoted; true quality 0.400 → 0.750 (+0.350)`);
    expect(report.timeline.rollouts.find((r) => r.rollout_id === 'r2')).toMatchObject({ class: 'dicl', dynamicK: 4 });
    const html = renderHtml(report);
    expect(html).toContain(`${learner.agentId} v1 + dynamic examples k=4 (dicl): promoted after 61 s`);
    expect(html).toContain('<th>learnable agent</th>');
    expect(html).toContain('learnable agents (dynamic examples only)');
  });

  it('plots the quality and the rollout as one self-contained page', () => {
    const html = renderHtml(report);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('<polyline');
    expect(html).toContain(
      `${better.agentId} v2 (better) for complaint_burst: rolled_back after 31 s — 7 canary complaints`,
    );
    expect(html).not.toMatch(/<script/);
  });
});
