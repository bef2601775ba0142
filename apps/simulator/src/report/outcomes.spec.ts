import type { Fleet } from '../truth/fleet';
import type { BudgetRow } from './budget';
import { judgeGoals } from './goals';
import { buildUnits, isDiclRollout, summarize, type RegressionInjection, type RolloutFacts } from './outcomes';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const truth = (version: string, quality: number) => ({ version, template: 't', quality });
const traffic = { topics: ['refunds', 'shipping'], diclLift: 0.3, artifacts: false };
const fleet: Fleet = {
  seed: 1,
  agents: [
    {
      index: 0,
      agentId: 'good',
      environment: 'prod',
      kind: 'needy',
      tier: 'medium',
      weight: 0.25,
      stable: truth('v1', 0.4),
      candidates: [{ ...truth('v2', 0.7), truth: 'better' }],
      regression: null,
      ...traffic,
    },
    {
      index: 1,
      agentId: 'bad',
      environment: 'prod',
      kind: 'needy',
      tier: 'medium',
      weight: 0.25,
      stable: truth('v1', 0.4),
      candidates: [{ ...truth('v2', 0.2), truth: 'worse' }],
      regression: null,
      ...traffic,
    },
    {
      index: 2,
      agentId: 'same',
      environment: 'dev',
      kind: 'needy',
      tier: 'medium',
      weight: 0.25,
      stable: truth('v1', 0.4),
      candidates: [{ ...truth('v2', 0.4), truth: 'identical' }],
      regression: null,
      ...traffic,
    },
    {
      index: 3,
      agentId: 'fine',
      environment: 'dev',
      kind: 'fine',
      tier: 'medium',
      weight: 0.25,
      stable: truth('v1', 0.9),
      candidates: [{ ...truth('v2', 0.9), truth: 'identical' }],
      regression: { atSeconds: 100, prompt: truth('v1-hotfix', 0.3) },
      ...traffic,
    },
  ],
};

function rollout(
  id: string,
  agent: string,
  version: string | undefined,
  status: string,
  created: number,
  finished: number | null,
  firstCanary?: number,
  dynamicK: { candidate: number | null; stable: number | null } = { candidate: null, stable: null },
): RolloutFacts {
  return {
    rollout_id: id,
    agent_id: agent,
    plan_id: null,
    status,
    weight: 10,
    step_index: 0,
    steps: [10, 50, 100],
    stable_revision_id: 's',
    candidate_revision_id: `c-${id}`,
    mutation_type: 'PROMPT_PATCH',
    status_reason: null,
    created_at: at(created),
    started_at: at(created + 1),
    finished_at: finished === null ? null : at(finished),
    candidateVersion: version,
    candidateDynamicK: dynamicK.candidate,
    stableDynamicK: dynamicK.stable,
    firstCanaryAt: firstCanary === undefined ? undefined : T0 + firstCanary * 1000,
  };
}

describe('outcomes by truth class', () => {
  const injections: RegressionInjection[] = [
    { agentId: 'fine', atMs: T0 + 100_000, ok: true, badVersion: 'v1-hotfix', replacedVersion: 'v1' },
  ];
  const rollouts = [
    rollout('r1', 'good', 'v2', 'promoted', 10, 200),
    rollout('r2', 'bad', 'v2', 'rolled_back', 10, 70, 15),
    rollout('r3', 'fine', 'v2', 'retired', 20, 90),
    rollout('r4', 'fine', 'v1', 'promoted', 130, 250),
    rollout('r5', 'same', 'v1:accuracy', 'rolled_back', 30, 40),
    rollout('r6', 'stranger', 'v2', 'promoted', 1, 2),
  ];
  const units = buildUnits(fleet, rollouts, injections);
  const byClass = Object.fromEntries(summarize(units).map((c) => [c.class, c]));

  it('gives each needy candidate, fine agent and regression one unit, and each unregistered change its own', () => {
    expect(units.map((u) => [u.class, u.agentId, u.outcome])).toEqual([
      ['other', 'same', 'rolled_back'],
      ['better', 'good', 'promoted'],
      ['worse', 'bad', 'rolled_back'],
      ['identical', 'same', 'untouched'],
      ['fine', 'fine', 'retired'],
      ['regression', 'fine', 'promoted'],
    ]);
  });

  it('times a rollback from the first canary session, and a recovery from the deploy to the promotion', () => {
    expect(byClass['worse']!.rollbackSeconds).toEqual({ n: 1, median: 55, p90: 55, max: 55 });
    expect(byClass['other']!.rollbackSeconds.median).toBe(9); // no canary session seen: from started_at
    expect(byClass['regression']!.recoverySeconds).toEqual({ n: 1, median: 150, p90: 150, max: 150 });
  });

  it('shares each outcome over the class', () => {
    expect(byClass['better']).toMatchObject({
      count: 1,
      started: 1,
      decided: 1,
      shares: { promoted: 1, rolled_back: 0, untouched: 0 },
    });
    expect(byClass['identical']).toMatchObject({ count: 1, started: 0, shares: { untouched: 1 } });
  });

  it('marks a regression whose deploy failed as not injected', () => {
    const failed = buildUnits(
      fleet,
      [],
      [{ agentId: 'fine', atMs: T0, ok: false, badVersion: 'v1-hotfix', error: '404' }],
    );
    expect(failed.find((u) => u.class === 'regression')).toMatchObject({
      outcome: 'not_injected',
      recoverySeconds: null,
    });
  });

  it('counts a rollout of the replaced prompt made before the deploy as the fine agent’s, not the regression’s', () => {
    const early = buildUnits(fleet, [rollout('e', 'fine', 'v1', 'retired', 50, 60)], injections);
    expect(early.find((u) => u.class === 'regression')!.rollouts).toEqual([]);
  });
});

describe('dynamic examples (DICL)', () => {
  const learnable = {
    ...fleet.agents[0]!,
    index: 4,
    agentId: 'learner',
    kind: 'learnable' as const,
    candidates: [],
    artifacts: true,
  };
  const withLearner: Fleet = { seed: 1, agents: [...fleet.agents, learnable] };
  const on = { candidate: 4, stable: null };

  it('counts a rollout turning dynamic examples on as dicl, not as the candidate whose prompt it keeps', () => {
    const units = buildUnits(
      withLearner,
      [
        rollout('r1', 'good', 'v2', 'promoted', 10, 200),
        rollout('r2', 'good', 'v2', 'rolled_back', 300, 400, undefined, on),
        rollout('r3', 'learner', 'v1', 'promoted', 20, 150, undefined, on),
      ],
      [],
    );
    expect(units.find((u) => u.class === 'better')).toMatchObject({ agentId: 'good', outcome: 'promoted' });
    expect(units.find((u) => u.class === 'better')!.rollouts).toHaveLength(1);
    expect(units.filter((u) => u.class === 'dicl').map((u) => [u.agentId, u.outcome])).toEqual([
      ['good', 'rolled_back'],
      ['learner', 'promoted'],
    ]);
    expect(units.some((u) => u.class === 'other')).toBe(false);
  });

  it('gives every learnable agent a unit, untouched when never tried; promoted once any rollout was', () => {
    expect(
      buildUnits(withLearner, [], [])
        .filter((u) => u.class === 'dicl')
        .map((u) => [u.agentId, u.outcome]),
    ).toEqual([['learner', 'untouched']]);
    const retuned = buildUnits(
      withLearner,
      [
        rollout('a', 'learner', 'v1', 'promoted', 20, 150, undefined, on),
        rollout('b', 'learner', 'v1', 'rolled_back', 250, 300, undefined, { candidate: 6, stable: 4 }),
      ],
      [],
    ).find((u) => u.class === 'dicl')!;
    expect(retuned).toMatchObject({ outcome: 'promoted', everRolledBack: true });
    expect(retuned.rollouts).toHaveLength(2);
  });

  it('is not a rollout that keeps the k stable has, or whose configs are unknown', () => {
    expect(isDiclRollout({ candidateDynamicK: 4, stableDynamicK: 4 })).toBe(false);
    expect(isDiclRollout({ candidateDynamicK: undefined, stableDynamicK: null })).toBe(false);
    expect(isDiclRollout({ candidateDynamicK: null, stableDynamicK: 4 })).toBe(false);
    expect(isDiclRollout({ candidateDynamicK: 6, stableDynamicK: 4 })).toBe(true);
  });
});

const noLearnable = { count: 0, promoted: 0, candidatesRegistered: 0, before: null, after: null, gain: null };
const learned = { count: 2, promoted: 1, candidatesRegistered: 0, before: 0.38, after: 0.61, gain: 0.23 };

describe('the goals', () => {
  const fleetOf = (outcomes: Record<string, string[]>) => {
    const units = Object.entries(outcomes).flatMap(([cls, list]) =>
      list.map((status, i) => ({
        class: cls as 'better',
        agentId: `${cls}${i}`,
        version: 'v2',
        outcome: (status === 'untouched' ? 'untouched' : status) as 'promoted',
        rollouts:
          status === 'untouched'
            ? []
            : [
                {
                  rollout_id: `${cls}${i}`,
                  status,
                  created_at: at(0),
                  finished_at: at(1),
                  toRollbackSeconds: status === 'rolled_back' ? 1 : null,
                },
              ],
        everRolledBack: status === 'rolled_back',
      })),
    );
    return summarize(units);
  };
  const budget: BudgetRow[] = [
    { scope: 'mutations per rolling hour, all environments', limit: 10, max: 10, exceeded: false },
  ];

  it('passes a loop that does what the truth calls for', () => {
    const classes = fleetOf({
      better: ['promoted', 'promoted', 'promoted', 'promoted', 'untouched'],
      worse: ['rolled_back', 'rolled_back', 'in_progress'],
      identical: ['retired'],
    });
    expect(
      judgeGoals({ classes, stalledMax: 0, budget, netGain: 0.05, learnable: learned }).map((g) => g.pass),
    ).toEqual([true, true, true, true, true, true, true, true]);
  });

  it('fails each goal on its own evidence', () => {
    const classes = fleetOf({
      better: ['promoted', 'promoted', 'promoted', 'rolled_back', 'untouched'],
      worse: ['rolled_back', 'retired'],
      identical: [],
    });
    const goals = judgeGoals({
      classes,
      stalledMax: 2,
      budget: [{ ...budget[0]!, max: 11, exceeded: true }],
      netGain: -0.01,
      learnable: { ...learned, promoted: 1, candidatesRegistered: 1, after: 0.37, gain: -0.01 },
    });
    expect(goals.map((g) => g.pass)).toEqual([false, false, false, false, false, false, false, false]);
    expect(goals[0]!.measured).toBe('1/2 = 50.0 % of the worse candidates whose rollout ended');
    expect(goals[1]!.measured).toBe('1/4 = 25.0 % of the better and identical candidates started');
    expect(goals[4]!.measured).toBe('mutations per rolling hour, all environments: 11 > 10');
    expect(goals[6]!.measured).toBe('1/2 learnable agents; 1 candidates registered for them');
    expect(goals[7]!.measured).toBe('0.380 → 0.370 (-0.010, last window − first)');
    const flat = judgeGoals({
      classes,
      stalledMax: 0,
      budget,
      netGain: 0.1,
      learnable: { ...learned, after: 0.38 + 1e-16, gain: 1e-16 },
    });
    expect(flat[7]).toMatchObject({ measured: '0.380 → 0.380 (+0.000, last window − first)', pass: false });
  });

  it('fails a goal nothing could show', () => {
    const goals = judgeGoals({
      classes: fleetOf({ better: [], worse: [], identical: [] }),
      stalledMax: null,
      budget,
      netGain: null,
      learnable: noLearnable,
    });
    expect(goals.filter((g) => g.goal !== 'budget never exceeded').every((g) => !g.pass)).toBe(true);
  });
});
