import { dedupKey, Detections, severityFrom } from './finding-draft';
import type { FindingDraft } from '../findings/finding-draft';

const draft = (agent: string): FindingDraft => ({
  type: 'dissatisfaction',
  agent_id: agent,
  revision_id: null,
  severity: 'medium',
  confidence: 0,
  summary: 'x',
  evidence: { p_value: 0.005 },
  dedup_key: dedupKey('dissatisfaction', agent, null),
});

describe('Detections: the multiple-testing correction over one analysis', () => {
  it('keeps a p = 0.005 finding that was the only test, with confidence 1 − q', () => {
    const detections = new Detections();
    detections.propose(draft('a'), detections.test(0.005));
    const [kept] = detections.finish(0.01);
    expect(kept!.confidence).toBeCloseTo(0.995, 12);
    expect(kept!.evidence).toMatchObject({ p_value_adjusted: 0.005, multiple_testing: 'benjamini_hochberg' });
  });

  it('drops the same finding when it is one of 100 tests and the other 99 show nothing (q = 0.5)', () => {
    const detections = new Detections();
    detections.propose(draft('a'), detections.test(0.005));
    for (let i = 1; i < 100; i++) detections.test(0.5 + i / 250);
    expect(detections.testsRun).toBe(100);
    expect(detections.finish(0.01)).toEqual([]);
  });

  it('leaves out non-finite numbers, which JSON cannot carry', () => {
    const detections = new Detections();
    detections.propose(
      {
        ...draft('c'),
        evidence: { statistic: -Infinity, ci: [1, Infinity], value: 1, nested: { cut: Number.NaN, share: 0.5 } },
      },
      detections.test(0.001),
    );
    expect(detections.finish(0.01)[0]!.evidence).toEqual({
      value: 1,
      nested: { share: 0.5 },
      p_value_adjusted: 0.001,
      multiple_testing: 'benjamini_hochberg',
    });
  });

  it('passes rule-based drafts (no test) through with their own confidence', () => {
    const detections = new Detections();
    detections.propose({ ...draft('b'), confidence: 0.9 });
    detections.test(0.9);
    expect(detections.finish(0.01)).toEqual([{ ...draft('b'), confidence: 0.9 }]);
  });
});

describe('helpers', () => {
  it('severityFrom takes the first bound reached', () => {
    const bounds = [
      [3, 'critical'],
      [2, 'high'],
    ] as const;
    expect(severityFrom(3.5, bounds, 'medium')).toBe('critical');
    expect(severityFrom(2, bounds, 'medium')).toBe('high');
    expect(severityFrom(1.1, bounds, 'medium')).toBe('medium');
  });

  it('dedupKey writes a missing revision as "-"', () => {
    expect(dedupKey('usage_imbalance', 'a', '', 'over')).toBe('usage_imbalance:a:-:over');
    expect(dedupKey('retrain_trigger', 'a', null)).toBe('retrain_trigger:a:-');
  });
});
