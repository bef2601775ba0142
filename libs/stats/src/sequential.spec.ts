import { createRandom, type Random } from './random';
import {
  momentsArm,
  sequentialCompare,
  sequentialMeanTest,
  sequentialProportionTest,
  type SequentialOptions,
  type SequentialResult,
} from './sequential';
import type { Moments, Proportion } from './types';

/*
 * The sequential test is judged the way a canary monitor uses it: a rollout through the
 * steps 5 → 25 → 50 % with 100 new sessions per analysis interval, 20 looks per step (60 in
 * all), rolled back at the first look where the candidate is significantly worse.
 */
const WEIGHTS = [...new Array(20).fill(0.05), ...new Array(20).fill(0.25), ...new Array(20).fill(0.5)] as number[];
const SESSIONS_PER_LOOK = 100;
const RUNS = 300;

interface Outcome {
  rolledBackAt?: number;
  canarySamples: number;
  decisions: SequentialResult['decision'][];
}

function rollout<T>(
  random: Random,
  empty: () => T,
  add: (arm: T, random: Random, canary: boolean) => void,
  test: (canary: T, stable: T, previous: SequentialOptions['previous']) => SequentialResult,
): Outcome {
  const canary = empty();
  const stable = empty();
  let canarySamples = 0;
  let previous: SequentialOptions['previous'];
  const decisions: SequentialResult['decision'][] = [];
  for (let look = 0; look < WEIGHTS.length; look++) {
    for (let s = 0; s < SESSIONS_PER_LOOK; s++) {
      const isCanary = random.next() < WEIGHTS[look]!;
      add(isCanary ? canary : stable, random, isCanary);
      if (isCanary) canarySamples++;
    }
    const result = test(canary, stable, previous);
    previous = { harmPValue: result.harm.pValue, nonInferiorityPValue: result.nonInferiority.pValue };
    decisions.push(result.decision);
    if (result.decision === 'worse') return { rolledBackAt: look, canarySamples, decisions };
  }
  return { canarySamples, decisions };
}

function proportionRollouts(pStable: number, pCanary: number, options: SequentialOptions, seed: number): Outcome[] {
  const random = createRandom(seed);
  return Array.from({ length: RUNS }, () =>
    rollout<Proportion>(
      random,
      () => ({ successes: 0, n: 0 }),
      (arm, r, canary) => {
        arm.n += 1;
        arm.successes += r.bernoulli(canary ? pCanary : pStable);
      },
      (canary, stable, previous) => sequentialProportionTest({ ...canary }, { ...stable }, { ...options, previous }),
    ),
  );
}

function meanRollouts(shift: number, options: SequentialOptions, seed: number): Outcome[] {
  const random = createRandom(seed);
  return Array.from({ length: RUNS }, () =>
    rollout<Moments>(
      random,
      () => ({ n: 0, sum: 0, sumSq: 0 }),
      (arm, r, canary) => {
        // Ratings around 4 with SD 0.8; the canary's mean moves by `shift`.
        const x = 4 + 0.8 * r.normal() + (canary ? shift : 0);
        arm.n += 1;
        arm.sum += x;
        arm.sumSq += x * x;
      },
      (canary, stable, previous) => sequentialMeanTest({ ...canary }, { ...stable }, { ...options, previous }),
    ),
  );
}

const rolledBack = (outcomes: Outcome[]) => outcomes.filter((o) => o.rolledBackAt !== undefined);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('always-valid sequential test (mSPRT) under continuous monitoring', () => {
  const options: SequentialOptions = { alpha: 0.02 };

  it('A/A: a candidate identical to stable is rolled back in ≤ 2 % of 300 rollouts looked at 60 times', () => {
    const outcomes = proportionRollouts(0.8, 0.8, options, 1);
    expect(rolledBack(outcomes).length / RUNS).toBeLessThanOrEqual(0.02);
  });

  it('a naive fixed-alpha z-test looked at as often would roll back far more (why the mSPRT is needed)', () => {
    const random = createRandom(2);
    let rolledBackNaively = 0;
    for (let run = 0; run < RUNS; run++) {
      const c = { x: 0, n: 0 };
      const s = { x: 0, n: 0 };
      for (let look = 0; look < WEIGHTS.length; look++) {
        for (let i = 0; i < SESSIONS_PER_LOOK; i++) {
          const arm = random.next() < WEIGHTS[look]! ? c : s;
          arm.n++;
          arm.x += random.bernoulli(0.8);
        }
        if (c.n < 30) continue;
        const pc = c.x / c.n;
        const ps = s.x / s.n;
        const z = (pc - ps) / Math.sqrt((pc * (1 - pc)) / c.n + (ps * (1 - ps)) / s.n);
        if (z < -2.054) {
          rolledBackNaively++;
          break;
        }
      }
    }
    expect(rolledBackNaively / RUNS).toBeGreaterThan(0.06);
  });

  it('a candidate 20 % worse on success rate (0.80 → 0.64) is rolled back in ≥ 95 %', () => {
    const outcomes = proportionRollouts(0.8, 0.64, options, 3);
    const detected = rolledBack(outcomes);
    expect(detected.length / RUNS).toBeGreaterThanOrEqual(0.95);
    const samples = median(detected.map((o) => o.canarySamples));
    // Recorded in README: the canary samples the rollback needed (median over the runs).
    console.log(
      `sequential proportion test: 20 % worse rolled back in ${((100 * detected.length) / RUNS).toFixed(1)} % of ${RUNS}, median ${samples} canary samples`,
    );
    expect(samples).toBeLessThan(400);
  });

  it('with a margin, an A/A candidate is soon shown not worse, and one worse by twice the margin never is', () => {
    const margin = { ...options, margin: 0.05 };
    const aa = proportionRollouts(0.8, 0.8, margin, 4);
    const passed = aa.filter((o) => o.decisions.includes('not_worse'));
    expect(passed.length / RUNS).toBeGreaterThanOrEqual(0.8);
    const bad = proportionRollouts(0.8, 0.7, margin, 5);
    expect(bad.filter((o) => o.decisions.includes('not_worse')).length / RUNS).toBeLessThanOrEqual(0.02);
  });

  it('with a required gain (a negative margin) it is a futility test: valid at the gain, and it finds a candidate that falls short of it', () => {
    const futility = { alpha: 0.05, margin: -0.05 };
    // Exactly at the required gain (0.80 → 0.85): the null holds, so "short of it" is rejected in ≤ α of the rollouts.
    const atGain = rolledBack(proportionRollouts(0.8, 0.85, futility, 10));
    expect(atGain.length / RUNS).toBeLessThanOrEqual(0.05);
    // Identical (no gain at all): shown short of the gain in most rollouts within the 60 looks.
    const identical = rolledBack(proportionRollouts(0.8, 0.8, futility, 11));
    expect(identical.length / RUNS).toBeGreaterThanOrEqual(0.8);
    // Well past the gain (0.80 → 0.92) it is shown to reach it.
    const better = proportionRollouts(0.8, 0.92, futility, 12);
    expect(better.filter((o) => o.decisions.includes('not_worse')).length / RUNS).toBeGreaterThanOrEqual(0.8);
  });

  it('means (ratings): A/A rolled back in ≤ 2 %, a 0.3-SD drop in ≥ 95 %; latency-like metrics where lower is better', () => {
    expect(rolledBack(meanRollouts(0, options, 6)).length / RUNS).toBeLessThanOrEqual(0.02);
    expect(rolledBack(meanRollouts(-0.24, options, 7)).length / RUNS).toBeGreaterThanOrEqual(0.95);
    // For `lower is better` a higher canary mean is the harm.
    expect(rolledBack(meanRollouts(0.24, { ...options, better: 'lower' }, 8)).length / RUNS).toBeGreaterThanOrEqual(
      0.95,
    );
    expect(rolledBack(meanRollouts(0.24, options, 9)).length).toBe(0);
  });
});

describe('sequential test results', () => {
  it('is inconclusive below the minimum samples and keeps the running minimum of the p-values', () => {
    const early = sequentialProportionTest({ successes: 5, n: 10 }, { successes: 90, n: 100 });
    expect(early.decision).toBe('inconclusive');
    expect(early.reason).toMatch(/fewer than 30 samples/);
    const carried = sequentialProportionTest(
      { successes: 5, n: 10 },
      { successes: 90, n: 100 },
      { previous: { harmPValue: 0.001, nonInferiorityPValue: 1 } },
    );
    expect(carried.decision).toBe('worse');
    const later = sequentialProportionTest(
      { successes: 80, n: 100 },
      { successes: 800, n: 1000 },
      { previous: { harmPValue: 0.3, nonInferiorityPValue: 0.5 } },
    );
    expect(later.harm.pValue).toBeLessThanOrEqual(0.3);
    expect(later.nonInferiority.pValue).toBeLessThanOrEqual(0.5);
  });

  it('records the statistic, its threshold and an always-valid confidence sequence', () => {
    const result = sequentialProportionTest({ successes: 300, n: 500 }, { successes: 800, n: 1000 }, { alpha: 0.01 });
    expect(result.decision).toBe('worse');
    expect(result.harm.threshold).toBeCloseTo(Math.log(100), 12);
    expect(result.harm.logLikelihoodRatio).toBeGreaterThan(result.harm.threshold);
    expect(result.harm.pValue).toBeCloseTo(Math.exp(-result.harm.logLikelihoodRatio), 12);
    expect(result.difference).toBeCloseTo(-0.2, 12);
    expect(result.confidenceSequence.upper).toBeLessThan(0);
    expect(result.confidenceSequence.lower).toBeLessThan(-0.2);
    // The confidence sequence is wider than the fixed-sample 99 % interval: the price of looking often.
    const fixedHalfWidth = 2.5758 * result.standardError;
    expect(result.confidenceSequence.upper - result.difference).toBeGreaterThan(fixedHalfWidth);
  });

  it('compares any per-arm estimate (sequentialCompare) exactly as the mean test does, and names a required gain as such', () => {
    const candidate = { n: 400, sum: 400 * 4.1, sumSq: 400 * (4.1 * 4.1 + 0.64) };
    const stable = { n: 4000, sum: 4000 * 4, sumSq: 4000 * (16 + 0.64) };
    expect(sequentialCompare(momentsArm(candidate), momentsArm(stable), { alpha: 0.01 })).toEqual(
      sequentialMeanTest(candidate, stable, { alpha: 0.01 }),
    );
    const short = sequentialCompare(
      { n: 2000, mean: 0.6, variance: 0.25 },
      { n: 2000, mean: 0.6, variance: 0.25 },
      { alpha: 0.05, margin: -0.05 },
    );
    expect(short).toMatchObject({
      decision: 'worse',
      margin: -0.05,
      reason: expect.stringMatching(/^short of the required gain 0\.05 \(always-valid p /),
    });
    const reaches = sequentialCompare(
      { n: 2000, mean: 0.75, variance: 0.25 },
      { n: 2000, mean: 0.6, variance: 0.25 },
      { alpha: 0.05, margin: -0.05 },
    );
    expect(reaches).toMatchObject({
      decision: 'not_worse',
      reason: expect.stringMatching(/^reaching the required gain 0\.05/),
    });
  });

  it('refuses parameters outside their range', () => {
    const arm = { successes: 50, n: 100 };
    expect(() => sequentialProportionTest(arm, arm, { alpha: 0 })).toThrow(RangeError);
    expect(() => sequentialProportionTest(arm, arm, { mixingSd: 0 })).toThrow(RangeError);
    expect(() => sequentialProportionTest(arm, arm, { margin: Number.NaN })).toThrow(RangeError);
    expect(() => sequentialProportionTest(arm, arm, { margin: -Infinity })).toThrow(RangeError);
  });
});
