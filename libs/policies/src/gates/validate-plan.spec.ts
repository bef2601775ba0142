import { GATE_NAMES, gateResultSchema } from '@metaloop/contracts';
import { validatePlan } from './validate-plan';
import { modelSwap, plan, policyWith, promptPatch, stateFor, withAgent } from './__tests__/fixtures';

const defaults = policyWith();

describe('validatePlan', () => {
  it('runs every gate, in order, with results on the wire contract', () => {
    const p = plan([promptPatch()]);
    const result = validatePlan(defaults, p, stateFor(p));
    expect(result.gates.map((g) => g.gate)).toEqual([...GATE_NAMES]);
    for (const gate of result.gates) expect(gateResultSchema.parse(gate)).toEqual(gate);
    expect(result).toMatchObject({ overall_passed: true, requires_approval: false });
  });

  it('passes and asks for approval when a gate needs it and none fails', () => {
    const p = plan([modelSwap()]);
    const result = validatePlan(defaults, p, withAgent(stateFor(p), 'helpful_assistant', { environment: 'prod' }));
    expect(result).toMatchObject({ overall_passed: true, requires_approval: true });
    expect(result.gates.filter((g) => g.status !== 'pass').map((g) => g.gate)).toEqual(['risk_approval']);
  });

  it('fails when any gate fails, and still says approval would be needed', () => {
    const p = plan([modelSwap({ risk: 7 })], { risk: 7 });
    const state = { ...stateFor(p), freeze: { frozen: true, reason: 'incident' } };
    const result = validatePlan(defaults, p, state);
    expect(result).toMatchObject({ overall_passed: false, requires_approval: true });
    expect(result.gates.find((g) => g.gate === 'freeze')!.status).toBe('fail');
  });

  it('is deterministic', () => {
    const p = plan([modelSwap(), promptPatch({ agent_id: 'other' })]);
    const state = stateFor(p);
    expect(validatePlan(defaults, p, state)).toEqual(validatePlan(defaults, p, state));
  });
});
