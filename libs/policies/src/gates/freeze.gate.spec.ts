import { freezeGate } from './freeze.gate';
import { plan, policyWith, promptPatch, stateFor } from './__tests__/fixtures';

describe('freeze', () => {
  const p = plan([promptPatch()]);

  it.each([
    [false, false, 'pass', 'not frozen'],
    [true, false, 'fail', 'frozen: incident 42'],
    [false, true, 'fail', 'frozen by the policy file: release week'],
  ])('runtime frozen %s, policy frozen %s: %s', (runtime, file, status, reason) => {
    const policy = policyWith({ freeze: { frozen: file, reason: 'release week' } });
    const result = freezeGate(policy, p, { ...stateFor(p), freeze: { frozen: runtime, reason: 'incident 42' } });
    expect(result).toMatchObject({ gate: 'freeze', status, reason });
  });

  it('reads without a reason', () => {
    expect(freezeGate(policyWith(), p, { ...stateFor(p), freeze: { frozen: true, reason: null } }).reason).toBe(
      'frozen',
    );
  });
});
