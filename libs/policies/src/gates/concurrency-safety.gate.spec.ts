import { concurrencySafetyGate } from './concurrency-safety.gate';
import { modelSwap, paramSet, plan, policyWith, promptPatch, stateFor, withAgent } from './__tests__/fixtures';

const defaults = policyWith();

describe('concurrency_safety', () => {
  it.each([
    [0, 3, 'pass'],
    [2, 1, 'pass'],
    [3, 1, 'fail'],
    [1, 3, 'fail'],
  ])('%s running + %s new with a limit of 3: %s', (running, planned, status) => {
    const mutations = Array.from({ length: planned }, (_, i) => modelSwap({ agent_id: `agent_${i}` }));
    const p = plan(mutations);
    const result = concurrencySafetyGate(defaults, p, { ...stateFor(p), running_rollouts: running });
    expect(result.status).toBe(status);
    if (status === 'fail')
      expect(result.reason).toBe(`${running} rollout(s) running + ${planned} new exceeds the limit of 3`);
  });

  it('fails a mutation on an agent with a running rollout', () => {
    const p = plan([modelSwap()]);
    const result = concurrencySafetyGate(
      defaults,
      p,
      withAgent(stateFor(p), 'helpful_assistant', { active_rollout_id: 'ro-7' }),
    );
    expect(result).toMatchObject({
      status: 'fail',
      reason: 'agent helpful_assistant already has rollout ro-7 running',
    });
  });

  it('fails two mutations of one agent in one plan', () => {
    const p = plan([modelSwap(), paramSet({ temperature: 0.2 })]);
    expect(concurrencySafetyGate(defaults, p, stateFor(p)).reason).toBe(
      'agent helpful_assistant would get 2 rollouts at once, at most 1 allowed',
    );
  });

  it('allows more per agent when the policy does', () => {
    const p = plan([modelSwap(), promptPatch()]);
    expect(
      concurrencySafetyGate(policyWith({ concurrency: { max_rollouts_per_agent: 2 } }), p, stateFor(p)).status,
    ).toBe('pass');
  });
});
