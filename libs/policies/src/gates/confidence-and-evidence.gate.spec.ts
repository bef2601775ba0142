import { confidenceAndEvidenceGate } from './confidence-and-evidence.gate';
import { modelSwap, plan, policyWith, stateFor } from './__tests__/fixtures';

const defaults = policyWith();

describe('confidence_and_evidence', () => {
  it.each([
    [0.69, 0.8, 'fail', 'plan confidence 0.69 is below 0.7'],
    [0.7, 0.8, 'pass', undefined],
    [0.8, 0.69, 'fail', 'mutations[0] (MODEL_SWAP on helpful_assistant): confidence 0.69 is below 0.7'],
    [0.8, 0.7, 'pass', undefined],
  ])('plan confidence %s, mutation confidence %s: %s', (planConfidence, mutationConfidence, status, reason) => {
    const p = plan([modelSwap({ confidence: mutationConfidence })], { confidence: planConfidence });
    const result = confidenceAndEvidenceGate(defaults, p, stateFor(p));
    expect(result.status).toBe(status);
    if (reason) expect(result.reason).toBe(reason);
  });

  it.each([
    [9, 'fail'],
    [10, 'pass'],
  ])('%s events behind the mutation: %s', (events, status) => {
    const p = plan([modelSwap()]);
    const result = confidenceAndEvidenceGate(defaults, p, { ...stateFor(p), mutations: [{ evidence_events: events }] });
    expect(result.status).toBe(status);
    expect(result.details).toMatchObject({ min_evidence_events: 10, mutations: [{ evidence_events: events }] });
  });

  it('counts a mutation without gathered evidence as resting on none', () => {
    const p = plan([modelSwap()]);
    expect(confidenceAndEvidenceGate(defaults, p, { ...stateFor(p), mutations: [] }).reason).toMatch(
      /rests on 0 event\(s\), needs 10/,
    );
  });

  it('follows the policy’s minimums (as ORACLE_CONFIDENCE_THRESHOLD sets them)', () => {
    const p = plan([modelSwap({ confidence: 0.85 })], { confidence: 0.85 });
    const strict = policyWith({ confidence: { min: 0.9, min_evidence_events: 100 } });
    const result = confidenceAndEvidenceGate(strict, p, stateFor(p));
    expect(result.status).toBe('fail');
    expect(result.details!.objections).toHaveLength(3);
  });
});
