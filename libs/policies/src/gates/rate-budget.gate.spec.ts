import { rateBudgetGate } from './rate-budget.gate';
import type { GateState } from './gate-state';
import { modelSwap, NOW, plan, policyWith, promptPatch, stateFor, withAgent } from './__tests__/fixtures';

const defaults = policyWith();
const usage = (over: Partial<GateState['budget_usage']>): GateState['budget_usage'] => ({
  last_hour_global: 0,
  last_hour_by_environment: {},
  last_day_by_type: {},
  ...over,
});
const minutesBefore = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();

describe('rate_budget', () => {
  it.each([
    [9, 'pass'],
    [10, 'fail'],
  ])('global: %s used + 1 planned of 10: %s', (used, status) => {
    const p = plan([promptPatch()]);
    const result = rateBudgetGate(defaults, p, { ...stateFor(p), budget_usage: usage({ last_hour_global: used }) });
    expect(result.status).toBe(status);
    expect(result.details!.global).toEqual({ used, planned: 1, limit: 10 });
    if (status === 'fail') expect(result.reason).toBe('mutations in the last hour: 10 used + 1 planned exceeds 10');
  });

  it.each([
    [4, 'pass'],
    [5, 'fail'],
  ])('prod: %s used + 1 planned of 5: %s', (used, status) => {
    const p = plan([promptPatch()]);
    const state = withAgent(
      { ...stateFor(p), budget_usage: usage({ last_hour_global: used, last_hour_by_environment: { prod: used } }) },
      'helpful_assistant',
      {
        environment: 'prod',
      },
    );
    const result = rateBudgetGate(defaults, p, state);
    expect(result.status).toBe(status);
    if (status === 'fail')
      expect(result.reason).toBe('mutations in prod in the last hour: 5 used + 1 planned exceeds 5');
  });

  it('counts the plan’s mutations per environment', () => {
    const p = plan([promptPatch({ agent_id: 'a1' }), promptPatch({ agent_id: 'a2' })]);
    const state = withAgent(
      withAgent({ ...stateFor(p), budget_usage: usage({ last_hour_by_environment: { prod: 4 } }) }, 'a1', {
        environment: 'prod',
      }),
      'a2',
      {
        environment: 'prod',
      },
    );
    expect(rateBudgetGate(defaults, p, state).details!.environments).toEqual({
      prod: { used: 4, planned: 2, limit: 5 },
    });
  });

  it.each([
    [1, 'pass'],
    [2, 'fail'],
  ])('MODEL_SWAP: %s used today + 1 planned of 2: %s', (used, status) => {
    const p = plan([modelSwap()]);
    const result = rateBudgetGate(defaults, p, {
      ...stateFor(p),
      budget_usage: usage({ last_day_by_type: { MODEL_SWAP: used } }),
    });
    expect(result.status).toBe(status);
    if (status === 'fail')
      expect(result.reason).toBe('MODEL_SWAP mutations in the last day: 2 used + 1 planned exceeds 2');
  });

  it('honours ORACLE_MAX_MUTATIONS_PER_HOUR through the policy', () => {
    const p = plan([promptPatch()]);
    const tight = policyWith({ budgets: { mutations_per_hour: { global: 0 } } });
    expect(rateBudgetGate(tight, p, stateFor(p)).status).toBe('fail');
  });

  it.each([
    [29, 'fail'],
    [30, 'pass'],
    [null, 'pass'],
  ])('an agent whose last rollout ended %s minutes ago (cooldown 30): %s', (minutes, status) => {
    const p = plan([promptPatch()]);
    const state = withAgent(stateFor(p), 'helpful_assistant', {
      last_mutation_finished_at: minutes === null ? null : minutesBefore(minutes),
    });
    const result = rateBudgetGate(defaults, p, state);
    expect(result.status).toBe(status);
    if (status === 'fail')
      expect(result.reason).toBe(`agent helpful_assistant is in its cooldown until ${minutesBefore(-1)}`);
  });
});
