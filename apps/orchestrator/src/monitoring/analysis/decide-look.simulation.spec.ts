import { BASELINE, median, simulateRollout, type ArmTruth, type Outcome } from './__tests__/simulated-rollout';

/*
 * The decision procedure alone, over many rollouts with known truth, under the default policy
 * (steps 5 → 25 → 50 → 100 %, a look every 30 s, 100 events per arm and step, α 0.05 over all
 * guarded metrics, pause when inconclusive after 60 min): 40 sessions per interval, success
 * 0.80, errors 1 %, ratings around 4, 0.1 % complaints. The figures go to the README.
 */
const RUNS = 300;

function runs(canary: ArmTruth, seedBase: number): Outcome[] {
  return Array.from({ length: RUNS }, (_, i) => simulateRollout(BASELINE, canary, seedBase + i));
}

const share = (outcomes: Outcome[], result: Outcome['result']) => outcomes.filter((o) => o.result === result).length / outcomes.length;
const percent = (x: number) => `${(100 * x).toFixed(1)} %`;

describe(`the canary decision procedure over ${RUNS} simulated rollouts each`, () => {
  it('A/A (the candidate is the stable config): rolled back in ≤ 2 %, never promoted (no lift), else paused for a person', () => {
    const outcomes = runs(BASELINE, 1_000);
    const rolledBack = share(outcomes, 'rolled_back');
    console.log(`A/A: rolled back ${percent(rolledBack)}, promoted ${percent(share(outcomes, 'promoted'))}, paused ${percent(share(outcomes, 'paused'))} of ${RUNS}`);
    expect(rolledBack).toBeLessThanOrEqual(0.02);
    expect(share(outcomes, 'promoted')).toBeLessThanOrEqual(0.02);
  });

  it('a candidate 20 % worse on success rate (0.80 → 0.64, errors unchanged): rolled back by the comparison in ≥ 95 %', () => {
    const outcomes = runs({ ...BASELINE, success: 0.64 }, 2_000);
    const rolledBack = outcomes.filter((o) => o.result === 'rolled_back');
    const samples = median(rolledBack.map((o) => o.canarySamples));
    console.log(`20 % worse success: rolled back ${percent(rolledBack.length / RUNS)} (${rolledBack.filter((o) => o.cause === 'comparative').length} by the comparison), median ${samples} canary samples, median ${median(rolledBack.map((o) => o.looks))} looks`);
    expect(rolledBack.length / RUNS).toBeGreaterThanOrEqual(0.95);
    expect(rolledBack.every((o) => o.cause === 'comparative')).toBe(true);
    expect(share(outcomes, 'promoted')).toBe(0);
  });

  it('a candidate failing 20 % of calls: rolled back by the hard error-rate threshold', () => {
    const outcomes = runs({ ...BASELINE, success: 0.64, error: 0.2 }, 3_000);
    expect(share(outcomes, 'rolled_back')).toBeGreaterThanOrEqual(0.95);
    expect(outcomes.filter((o) => o.cause === 'hard_threshold').length / RUNS).toBeGreaterThanOrEqual(0.9);
  });

  it('a better candidate (success 0.80 → 0.92): promoted in most rollouts, its lift recorded, rarely rolled back', () => {
    const outcomes = runs({ ...BASELINE, success: 0.92, helpful: 0.8 }, 4_000);
    const promoted = outcomes.filter((o) => o.result === 'promoted');
    console.log(`better candidate: promoted ${percent(promoted.length / RUNS)}, median lift ${median(promoted.map((o) => o.lift ?? NaN))}, median ${median(promoted.map((o) => o.canarySamples))} canary samples`);
    expect(promoted.length / RUNS).toBeGreaterThanOrEqual(0.9);
    expect(promoted.every((o) => (o.lift ?? 0) >= 0.05)).toBe(true);
    expect(share(outcomes, 'rolled_back')).toBeLessThanOrEqual(0.02);
  });
});
