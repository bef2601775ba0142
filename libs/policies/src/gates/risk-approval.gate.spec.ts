import { riskApprovalGate } from './risk-approval.gate';
import { modelSwap, plan, policyWith, promptPatch, stateFor, withAgent } from './__tests__/fixtures';

const defaults = policyWith();

describe('risk_approval', () => {
  it.each([
    [6, 'pass'],
    [7, 'needs_approval'],
    [8, 'needs_approval'],
    [9, 'fail'],
  ])('risk %s (approval above 6, max 8): %s', (risk, status) => {
    const p = plan([promptPatch({ risk })], { risk });
    const result = riskApprovalGate(defaults, p, stateFor(p));
    expect(result.status).toBe(status);
    if (status === 'fail')
      expect(result.reason).toBe(
        'plan: risk 9 is above the maximum 8; mutations[0] (PROMPT_PATCH on helpful_assistant): risk 9 is above the maximum 8',
      );
    if (status === 'needs_approval') expect(result.reason).toMatch(new RegExp(`^plan: risk ${risk} is above 6; `));
  });

  it('judges each mutation’s risk, not only the plan’s', () => {
    const p = plan([promptPatch({ risk: 7 })], { risk: 3 });
    expect(riskApprovalGate(defaults, p, stateFor(p))).toMatchObject({
      status: 'needs_approval',
      reason: 'mutations[0] (PROMPT_PATCH on helpful_assistant): risk 7 is above 6',
    });
  });

  it('needs no approval for high risk when REQUIRE_APPROVAL_FOR_HIGH_RISK is false', () => {
    const p = plan([promptPatch({ risk: 8 })], { risk: 8 });
    expect(riskApprovalGate(policyWith({ approval: { high_risk: { required: false } } }), p, stateFor(p)).status).toBe(
      'pass',
    );
  });

  it.each([
    ['dev', 'pass'],
    ['staging', 'pass'],
    ['prod', 'needs_approval'],
  ] as const)('MODEL_SWAP in %s: %s', (environment, status) => {
    const p = plan([modelSwap()]);
    const result = riskApprovalGate(defaults, p, withAgent(stateFor(p), 'helpful_assistant', { environment }));
    expect(result.status).toBe(status);
    if (status === 'needs_approval')
      expect(result.reason).toBe('mutations[0] (MODEL_SWAP on helpful_assistant): model swaps in prod need approval');
  });

  it('matches rules by type and environment, either left out meaning any', () => {
    const policy = policyWith({
      approval: {
        rules: [
          { types: ['PARAM_SET', 'PROMPT_PATCH'], reason: 'prompt changes need a look' },
          { environments: ['staging'], reason: 'staging is demo week' },
        ],
      },
    });
    const p = plan([promptPatch()]);
    expect(riskApprovalGate(policy, p, stateFor(p)).reason).toMatch(/prompt changes need a look$/);
    const staged = riskApprovalGate(policy, p, withAgent(stateFor(p), 'helpful_assistant', { environment: 'staging' }));
    expect(staged.details!.objections).toHaveLength(2);
    const swap = plan([modelSwap()]);
    expect(riskApprovalGate(policy, swap, stateFor(swap)).status).toBe('pass');
  });
});
