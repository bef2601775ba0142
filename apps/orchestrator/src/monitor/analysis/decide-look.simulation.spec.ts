import { BASELINE, median, simulateRollout, type ArmTruth, type Outcome } from './__tests__/simulated-rollout';

/*
 * The decision procedure alone, over many rollouts with known truth, under the default policy
 * (steps 5 → 25 → 50 → 100 %, a look every 30 s, 100 events per arm and step, α 0.02 over all
 * guarded metrics, futility at α 0.05, retired when inconclusive after 60 min in a step): 40
 * sessions per interval, success 0.80, errors 1 %, ratings around 4, 0.1 % complaints. The
 * figures go to the README.
 */
const RUNS = 300;

function runs(canary: ArmTruth, seedBase: number): Outcome[] {
  return Array.from({ length: RUNS }, (_, i) => simulateRollout(BASELINE, canary, seedBase + i));
}

const share = (outcomes: Outcome[], result: Outcome['result']) =>
  outcomes.filter((o) => o.result === result).length / outcomes.length;
const percent = (x: number) => `${(100 * x).toFixed(1)} %`;
const shares = (outcomes: Outcome[]) =>
  (['rolled_back', 'retired', 'promoted'] as const)
    .map((result) => `${result.replace('_', ' ')} ${percent(share(outcomes, result))}`)
    .join(', ');

describe(`the canary decision procedure over ${RUNS} simulated rollouts each`, () => {
  it('A/A (the candidate is the stable config): retired (not better, the champion kept), rolled back in ≤ 2 %, promoted in ≤ 2 %', () => {
    const outcomes = runs(BASELINE, 1_000);
    const byFutility = outcomes.filter((o) => o.result === 'retired' && o.cause === 'futility');
    console.log(
      `A/A: ${shares(outcomes)} of ${RUNS}; retired by futility ${percent(byFutility.length / RUNS)} (median ${median(byFutility.map((o) => o.looks))} looks), the rest when the step's time ran out`,
    );
    expect(share(outcomes, 'rolled_back')).toBeLessThanOrEqual(0.02);
    expect(share(outcomes, 'promoted')).toBeLessThanOrEqual(0.02);
    expect(share(outcomes, 'retired')).toBeGreaterThanOrEqual(0.95);
  });

  it('A/A at 200 sessions a look: futility retires it well before the step time runs out (futility holds a challenger that scores below the champion until it does not)', () => {
    const outcomes = Array.from({ length: 100 }, (_, i) =>
      simulateRollout(BASELINE, BASELINE, 1_500 + i, { eventsPerLook: 200 }),
    );
    const byFutility = outcomes.filter((o) => o.result === 'retired' && o.cause === 'futility');
    console.log(
      `A/A at 200 sessions a look: ${shares(outcomes)} of 100; retired by futility ${percent(byFutility.length / 100)} (median ${median(byFutility.map((o) => o.looks))} looks)`,
    );
    expect(share(outcomes, 'rolled_back')).toBeLessThanOrEqual(0.02);
    expect(byFutility.length / 100).toBeGreaterThanOrEqual(0.5);
  });

  it('a candidate 20 % worse on success rate (0.80 → 0.64, errors unchanged): rolled back by the comparison in ≥ 95 %', () => {
    const outcomes = runs({ ...BASELINE, success: 0.64 }, 2_000);
    const rolledBack = outcomes.filter((o) => o.result === 'rolled_back');
    const samples = median(rolledBack.map((o) => o.canarySamples));
    console.log(
      `20 % worse success: ${shares(outcomes)} (${rolledBack.filter((o) => o.cause === 'comparative').length} rolled back by the comparison), median ${samples} canary samples, median ${median(rolledBack.map((o) => o.looks))} looks`,
    );
    expect(rolledBack.length / RUNS).toBeGreaterThanOrEqual(0.95);
    expect(rolledBack.every((o) => o.cause === 'comparative')).toBe(true);
    expect(share(outcomes, 'promoted')).toBe(0);
  });

  it("a candidate failing 20 % of calls: rolled back, mostly by the hard error-rate threshold once it is shown the change's doing", () => {
    const outcomes = runs({ ...BASELINE, success: 0.64, error: 0.2 }, 3_000);
    const byHard = outcomes.filter((o) => o.cause === 'hard_threshold');
    console.log(
      `failing 20 % of calls: ${shares(outcomes)}, ${percent(byHard.length / RUNS)} by the hard threshold (median ${median(byHard.map((o) => o.canarySamples))} canary samples), the rest by the comparison`,
    );
    expect(share(outcomes, 'rolled_back')).toBeGreaterThanOrEqual(0.95);
    expect(byHard.length / RUNS).toBeGreaterThanOrEqual(0.6);
  });

  it.each([
    ['15 % better (success 0.80 → 0.92, more helpful)', { ...BASELINE, success: 0.92, helpful: 0.8 }, 4_000],
    ['20 % better (success 0.80 → 0.96)', { ...BASELINE, success: 0.96 }, 5_000],
  ])(
    'a %s candidate: promoted in ≥ 90 %, its lift recorded, rarely rolled back or retired',
    (name, truth, seedBase) => {
      const outcomes = runs(truth, seedBase);
      const promoted = outcomes.filter((o) => o.result === 'promoted');
      console.log(
        `${name}: ${shares(outcomes)}, median lift ${median(promoted.map((o) => o.lift ?? NaN))}, median ${median(promoted.map((o) => o.canarySamples))} canary samples`,
      );
      expect(promoted.length / RUNS).toBeGreaterThanOrEqual(0.9);
      expect(promoted.every((o) => (o.lift ?? 0) >= 0.05)).toBe(true);
      expect(share(outcomes, 'rolled_back')).toBeLessThanOrEqual(0.02);
    },
  );

  it('the mesh case: stable in trouble (30 % complaints, rating 2), the canary far better (0.9 % complaints, rating 4.7): promoted, never rolled back by the complaint rule', () => {
    const stable = { ...BASELINE, success: 0.6, rating: 2, complaint: 0.3 };
    const outcomes = Array.from({ length: RUNS }, (_, i) =>
      simulateRollout(stable, { ...BASELINE, success: 0.986, rating: 4.7, complaint: 0.009 }, 7_000 + i),
    );
    console.log(`far better canary of a stable in trouble: ${shares(outcomes)}`);
    expect(share(outcomes, 'rolled_back')).toBe(0);
    expect(share(outcomes, 'promoted')).toBeGreaterThanOrEqual(0.95);
  });

  it('a candidate slightly worse (success 0.80 → 0.76): never promoted, rolled back when the comparison shows it, else retired', () => {
    const outcomes = runs({ ...BASELINE, success: 0.76 }, 6_000);
    console.log(`5 % worse success: ${shares(outcomes)}`);
    expect(share(outcomes, 'promoted')).toBe(0);
    expect(share(outcomes, 'rolled_back') + share(outcomes, 'retired')).toBe(1);
  });
});
