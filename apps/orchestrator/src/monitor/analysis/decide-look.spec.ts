import { latencyBucket } from '@metaloop/core';
import { policySchema, type PolicyInput } from '@metaloop/policies';
import { emptySums, type ArmSums } from './arm-sums';
import { decideLook, type LookInput } from './decide-look';

const START = new Date('2026-12-01T00:00:00Z');
const minutes = (m: number) => new Date(START.getTime() + m * 60_000);

/** An arm of `n` events with the given rates (deterministic: exactly those shares). */
function arm(
  n: number,
  rates: {
    success?: number;
    error?: number;
    rating?: number;
    helpful?: number;
    latencyMs?: number;
    complaints?: number;
  } = {},
): ArmSums {
  const sums = emptySums();
  const { success = 0.8, error = 0.01, rating = 4, helpful = 0.7, latencyMs = 800, complaints = 0 } = rates;
  sums.count = n;
  sums.successN = n;
  sums.successSum = Math.round(success * n);
  sums.errors = Math.round(error * n);
  sums.ratingCount = n;
  // Ratings 3, 4, 5 around the mean: spread for the mean test.
  sums.ratingSum = rating * n;
  sums.ratingSumSq = n * (rating * rating + 2 / 3);
  sums.helpfulUp = Math.round(helpful * n);
  sums.helpfulDown = n - sums.helpfulUp;
  sums.complaints = complaints;
  sums.latencyCount = n;
  sums.latencyHist[latencyBucket(latencyMs * 0.7)] = Math.floor(n / 2);
  sums.latencyHist[latencyBucket(latencyMs * 1.4)] = Math.ceil(n / 2);
  return sums;
}

type Readings = LookInput['readings'];

/** Readings whose recent windows are the whole rollout so far, unless given. */
const readings = (
  canary: ArmSums,
  stable: ArmSums,
  recent: Partial<Pick<Readings, 'recentCanary' | 'recentStable'>> = {},
): Readings => ({
  canary,
  stable,
  recentCanary: recent.recentCanary ?? canary,
  recentStable: recent.recentStable ?? stable,
  registered: [],
});

function look(overrides: Partial<Omit<LookInput, 'policy'>> & { policy?: PolicyInput } = {}) {
  const base: LookInput = {
    policy: policySchema.parse(overrides.policy ?? {}),
    rollout: { status: 'running', stepIndex: 0, steps: [5, 25, 50, 100], startedAt: START, stepStartedAt: START },
    now: minutes(5),
    frozen: false,
    stepBaseline: { canary: 0, stable: 0 },
    previous: {},
    readings: readings(arm(200), arm(2000)),
  };
  return decideLook({ ...base, ...overrides, policy: base.policy });
}

const checkOf = (decision: ReturnType<typeof look>, name: string) =>
  decision.statistics.hard_thresholds.find((check) => check.name === name)!;

describe('decideLook', () => {
  it('passes a healthy step with enough events in both arms, and records the evidence', () => {
    const decision = look();
    expect(decision.verdict).toEqual({ action: 'advance', toStep: 1 });
    expect(decision.statistics.step).toMatchObject({
      index: 0,
      weight: 5,
      canary_samples: 200,
      stable_samples: 2000,
      min_samples_per_arm: 100,
    });
    expect(decision.statistics.tests.map((t) => t.metric)).toEqual([
      'success_rate',
      'error_rate',
      'p95_latency_ms',
      'mean_rating',
      'complaint_rate',
    ]);
    expect(decision.statistics.tests[0]).toMatchObject({
      decision: 'inconclusive',
      alpha: 0.004,
      threshold: expect.closeTo(Math.log(250), 6),
    });
    expect(decision.statistics.hard_thresholds.map((h) => [h.name, h.breached])).toEqual([
      ['error_rate', false],
      ['p95_latency_ms', false],
      ['complaints', false],
    ]);
  });

  it('waits for the minimum events of this step, counted from the step’s baseline', () => {
    const decision = look({ stepBaseline: { canary: 150, stable: 1000 } });
    expect(decision.verdict).toEqual({ action: 'inconclusive' });
    expect(decision.reason).toBe('waiting for 100 events per arm in this step (canary 50, stable 1000)');
  });

  it.each([
    [
      'error rate',
      arm(40, { error: 0.5 }),
      /^canary error rate 0\.5 > 0\.15 over 40 events \(last 10 min; stable 0\.01 over 2000; canary significantly worse than stable: always-valid ln Λ [\d.]+, p [\d.e-]+ ≤ α 0\.01\)$/,
    ],
    [
      'p95 response time',
      arm(40, { latencyMs: 12_000 }),
      /^canary p95 response time [\d.]+ ms > 10000 ms over 40 events \(last 10 min; stable p95 [\d.]+ ms over 2000; canary significantly worse than stable: always-valid ln Λ/,
    ],
    [
      'complaints',
      arm(40, { complaints: 6 }),
      /^6 canary complaints in the last 10 min, 6 more than stable's rate predicts \(0 over 40 canary events\), more than 5; 6 of all 6 complaints on 1\.961 % of the events, p [\d.e-]+ ≤ α 0\.01$/,
    ],
  ])(
    'rolls back at once on a hard threshold the change is to blame for: %s — frozen or not',
    (_name, recentCanary, reason) => {
      for (const frozen of [false, true]) {
        const decision = look({ frozen, readings: readings(arm(200), arm(2000), { recentCanary }) });
        expect(decision.verdict).toEqual({ action: 'rollback', cause: 'hard_threshold' });
        expect(decision.reason).toMatch(reason);
      }
    },
  );

  it('lets the error-rate trigger wait for auto_rollback.min_samples', () => {
    const decision = look({ readings: readings(arm(10, { error: 0.5 }), arm(2000)) });
    expect(checkOf(decision, 'error_rate')).toMatchObject({
      value: 0.5,
      n: 10,
      breached: false,
      excused: false,
      note: null,
    });
  });

  describe('the complaint rule: what the canary adds over what stable’s rate predicts for its traffic', () => {
    it('never rolls back a canary with fewer complaints than stable (stable 30 %, canary 1 % over 800 events), at any weight', () => {
      for (const weight of [5, 25, 50]) {
        const stableEvents = Math.round((800 * (100 - weight)) / weight);
        const recentStable = arm(stableEvents, { complaints: Math.round(0.3 * stableEvents) });
        const decision = look({
          readings: readings(arm(800), arm(stableEvents), { recentCanary: arm(800, { complaints: 8 }), recentStable }),
        });
        expect(checkOf(decision, 'complaints')).toMatchObject({
          value: 8,
          stable_value: 0.3,
          n: 800,
          expected: 240,
          excess: -232,
          test: 'binomial_share_mixture',
          breached: false,
        });
        expect(checkOf(decision, 'complaints').p_value).toBeCloseTo(1, 6);
        expect(decision.verdict.action).not.toBe('rollback');
      }
    });

    it('rolls back a canary with 6 complaints while stable has none (the seed’s rule), while it has up to a third of the traffic', () => {
      const sixOfSix = { 5: 1.0390625e-7, 25: 0.0012818165, 33: 0.0060595673 } as Record<number, number>;
      for (const weight of [5, 25, 33]) {
        const stableEvents = Math.round((800 * (100 - weight)) / weight);
        const decision = look({
          readings: readings(arm(800), arm(stableEvents), {
            recentCanary: arm(800, { complaints: 6 }),
            recentStable: arm(stableEvents),
          }),
        });
        expect(checkOf(decision, 'complaints')).toMatchObject({
          value: 6,
          stable_value: 0,
          expected: 0,
          excess: 6,
          p_value: expect.closeTo(sixOfSix[weight]!, 5),
          alpha: 0.01,
          breached: true,
        });
        expect(decision.verdict).toEqual({ action: 'rollback', cause: 'hard_threshold' });
      }
      // Five are not more than five.
      expect(
        checkOf(
          look({ readings: readings(arm(200), arm(2000), { recentCanary: arm(200, { complaints: 5 }) }) }),
          'complaints',
        ).breached,
      ).toBe(false);
      // At equal traffic 6 against 0 is no evidence that holds up over every look (Λ ≈ 18): it waits, here for a 9th.
      const even = look({
        readings: readings(arm(800), arm(800), { recentCanary: arm(800, { complaints: 6 }), recentStable: arm(800) }),
      });
      expect(checkOf(even, 'complaints')).toMatchObject({
        excess: 6,
        p_value: expect.closeTo(0.0551, 3),
        breached: false,
      });
      const nine = look({
        readings: readings(arm(800), arm(800), { recentCanary: arm(800, { complaints: 9 }), recentStable: arm(800) }),
      });
      expect(checkOf(nine, 'complaints')).toMatchObject({ p_value: expect.closeTo(0.009775, 5), breached: true });
    });

    it('needs both the excess over the count and a surprising share: noise at stable’s own rate does not trigger', () => {
      // Stable 1 % predicts λ = 8 for 800 canary events: 12 is an excess of 4 (not more than 5)...
      const stable = arm(8000, { complaints: 80 });
      const few = look({
        readings: readings(arm(800), arm(8000), { recentCanary: arm(800, { complaints: 12 }), recentStable: stable }),
      });
      expect(checkOf(few, 'complaints')).toMatchObject({ expected: 8, excess: 4, breached: false });
      // ...30 is an excess of 22: 30 of the 110 complaints on 9.09 % of the events, always-valid p ≈ 2.4e-6.
      const many = look({
        readings: readings(arm(800), arm(8000), { recentCanary: arm(800, { complaints: 30 }), recentStable: stable }),
      });
      expect(checkOf(many, 'complaints')).toMatchObject({
        expected: 8,
        excess: 22,
        test: 'binomial_share_mixture',
        breached: true,
        p_value: expect.closeTo(2.36e-6, 7),
      });
      expect(many.reason).toMatch(
        /^30 canary complaints in the last 10 min, 22 more than stable's rate predicts \(8 over 800 canary events\), more than 5; 30 of all 110 complaints on 9\.091 % of the events, p [\d.e-]+ ≤ α 0\.01$/,
      );
      // At equal traffic the excess must stand out against stable's own noise: 151 against 124 does not.
      const equal = look({
        readings: readings(arm(864), arm(864), {
          recentCanary: arm(864, { complaints: 151 }),
          recentStable: arm(864, { complaints: 124 }),
        }),
      });
      expect(checkOf(equal, 'complaints')).toMatchObject({ excess: 27, breached: false });
      expect(checkOf(equal, 'complaints').p_value).toBe(1);
    });
  });

  describe('error-rate and latency breaches: only when the canary is significantly worse than stable in the same minutes', () => {
    it('excuses a canary error rate above the bound when stable’s is worse, records why, and lets the comparison decide', () => {
      const decision = look({ readings: readings(arm(400, { error: 0.2 }), arm(4000, { error: 0.4 })) });
      const check = checkOf(decision, 'error_rate');
      expect(check).toMatchObject({
        value: 0.2,
        stable_value: 0.4,
        threshold: 0.15,
        n: 400,
        stable_n: 4000,
        test: 'msprt_normal_mixture',
        alpha: 0.01,
        excused: true,
        breached: false,
      });
      expect(check.p_value).toBe(1);
      expect(check.note).toMatch(
        /^canary error rate 0\.2 > 0\.15 over 400 events excused \(last 10 min; stable 0\.4 over 4000; canary not significantly worse than stable: always-valid ln Λ -[\d.]+, p 1\.00 > α 0\.01\): both arms are in trouble, not the change$/,
      );
      expect(decision.verdict).toEqual({ action: 'advance', toStep: 1 });
      expect(decision.reason).toContain(check.note!);
    });

    it('blames the change when stable is healthy', () => {
      const decision = look({ readings: readings(arm(100, { error: 0.2 }), arm(4000, { error: 0.05 })) });
      expect(checkOf(decision, 'error_rate')).toMatchObject({ excused: false, breached: true });
      expect(decision.verdict).toEqual({ action: 'rollback', cause: 'hard_threshold' });
      expect(decision.reason).toMatch(
        /stable 0\.05 over 4000; canary significantly worse than stable: always-valid ln Λ [\d.]+, p [\d.e-]+ ≤ α 0\.01/,
      );
    });

    it('does not roll back a much better canary at its 21st event because stable fails half its calls, and still rolls back one far worse than a troubled stable', () => {
      const early = look({ readings: readings(arm(21, { error: 0.19 }), arm(400, { error: 0.5 })) });
      expect(checkOf(early, 'error_rate')).toMatchObject({ excused: true, breached: false });
      expect(early.verdict.action).not.toBe('rollback');
      // 0.81 against 0.58 over 120 canary events: the change adds errors, bound and test agree.
      const worse = look({ readings: readings(arm(120, { error: 0.81 }), arm(217, { error: 0.58 })) });
      expect(checkOf(worse, 'error_rate')).toMatchObject({ excused: false, breached: true });
      expect(worse.verdict).toEqual({ action: 'rollback', cause: 'hard_threshold' });
    });

    it('excuses a canary p95 above the bound when stable is slower still', () => {
      const decision = look({ readings: readings(arm(400, { latencyMs: 12_000 }), arm(4000, { latencyMs: 40_000 })) });
      expect(checkOf(decision, 'p95_latency_ms')).toMatchObject({
        excused: true,
        breached: false,
        threshold: 10_000,
        stable_n: 4000,
        test: 'msprt_normal_mixture',
      });
      expect(decision.verdict.action).not.toBe('rollback');
    });

    it('lets the bound alone decide when stable has too few events to compare with', () => {
      const decision = look({
        readings: readings(arm(200), arm(2000), { recentCanary: arm(40, { error: 0.2 }), recentStable: arm(5) }),
      });
      expect(checkOf(decision, 'error_rate')).toMatchObject({ test: 'none', p_value: null, breached: true });
      expect(decision.reason).toMatch(/stable has too few events to compare with: the bound decides/);
    });
  });

  it('rolls back when a guarded metric is significantly worse, naming it and its evidence', () => {
    const decision = look({ readings: readings(arm(600, { success: 0.6 }), arm(3000)) });
    expect(decision.verdict).toEqual({ action: 'rollback', cause: 'comparative' });
    expect(decision.reason).toMatch(
      /^canary significantly worse than stable on success_rate \(difference -0\.2, always-valid p [\d.e-]+ ≤ α 0\.00400\)/,
    );
    const test = decision.statistics.tests.find((t) => t.metric === 'success_rate')!;
    expect(test.log_likelihood_ratio).toBeGreaterThan(test.threshold);
    expect(test.confidence_sequence![1]).toBeLessThan(0);
  });

  it('guards registered metrics in their optimize direction', () => {
    const registered = [
      {
        name: 'resolution',
        type: 'float' as const,
        optimize: 'min' as const,
        canary: { n: 500, sum: 500 * 3, sumSq: 500 * 10 },
        stable: { n: 3000, sum: 3000 * 2, sumSq: 3000 * 5 },
      },
    ];
    const decision = look({ readings: { ...readings(arm(500), arm(3000)), registered } });
    expect(decision.verdict).toEqual({ action: 'rollback', cause: 'comparative' });
    expect(decision.reason).toMatch(/metrics\.resolution/);
    expect(decision.statistics.tests).toHaveLength(6);
  });

  it('pauses instead of rolling back when auto_rollback is off', () => {
    const decision = look({
      policy: { auto_rollback: { enabled: false } },
      readings: readings(arm(200), arm(2000), { recentCanary: arm(40, { error: 0.5 }) }),
    });
    expect(decision.verdict).toEqual({ action: 'pause' });
    expect(decision.reason).toMatch(/auto_rollback is off, so a person decides$/);
  });

  it('holds while frozen, or rolls back when the policy says in_flight: rollback', () => {
    expect(look({ frozen: true }).verdict).toEqual({ action: 'hold' });
    expect(look({ frozen: true, policy: { freeze: { in_flight: 'rollback' } } }).verdict).toEqual({
      action: 'rollback',
      cause: 'freeze',
    });
  });

  describe('a paused rollout', () => {
    const paused = (pausedAt: Date) => ({
      status: 'paused' as const,
      stepIndex: 0,
      steps: [5, 25, 50, 100],
      startedAt: START,
      stepStartedAt: START,
      pausedAt,
    });

    it('is kept where it is while a person may decide', () => {
      expect(look({ rollout: paused(minutes(10)), now: minutes(249) }).verdict).toEqual({ action: 'hold' });
    });

    it('is retired once nobody decided within paused_max_minutes of its pause, so it frees its slot', () => {
      const decision = look({ rollout: paused(minutes(10)), now: minutes(251) });
      expect(decision.verdict).toEqual({ action: 'retire', cause: 'paused_expired' });
      expect(decision.reason).toBe(
        'paused 241.0 min ago and nobody decided (paused_max_minutes 240): retired, the champion stays',
      );
      // With auto_rollback off a breach pauses for a person; past the limit it is retired all the same.
      const breach = readings(arm(200), arm(2000), { recentCanary: arm(40, { error: 0.5 }) });
      expect(
        look({
          policy: { auto_rollback: { enabled: false } },
          rollout: paused(minutes(10)),
          now: minutes(100),
          readings: breach,
        }).verdict,
      ).toEqual({ action: 'hold' });
      const late = look({
        policy: { auto_rollback: { enabled: false } },
        rollout: paused(minutes(10)),
        now: minutes(251),
        readings: breach,
      });
      expect(late.verdict).toEqual({ action: 'retire', cause: 'paused_expired' });
      expect(late.reason).toMatch(
        /auto_rollback is off, so a person decides, but paused 241\.0 min ago and nobody decided/,
      );
    });

    it('is still rolled back for harm, not retired', () => {
      const decision = look({
        rollout: paused(minutes(10)),
        now: minutes(251),
        readings: readings(arm(200), arm(2000), { recentCanary: arm(40, { error: 0.5 }) }),
      });
      expect(decision.verdict).toEqual({ action: 'rollback', cause: 'hard_threshold' });
    });
  });

  describe('futility: a challenger that cannot reach the promotion lift is retired (seed 001)', () => {
    it('retires an identical challenger once the always-valid test shows it short of min_lift, with the evidence', () => {
      const decision = look({ readings: readings(arm(20_000), arm(20_000)) });
      expect(decision.verdict).toEqual({ action: 'retire', cause: 'futility' });
      expect(decision.reason).toMatch(
        /^the challenger cannot reach the promotion lift 0\.05: score difference 0 short of the required 0\.0\d+ \(always-valid p [\d.e-]+ ≤ α 0\.05\): retired, the champion stays$/,
      );
      const { futility, score } = decision.statistics;
      expect(futility).toMatchObject({
        null_hypothesis: 'score lift ≥ min_lift',
        difference: 0,
        alpha: 0.05,
        futile: true,
        n_canary: 20_000,
        n_stable: 20_000,
      });
      expect(futility.required_gain).toBeCloseTo(0.05 * score.stable, 6);
      expect(futility.bound).toBeCloseTo(Math.log(20), 6);
      expect(futility.log_likelihood_ratio).toBeGreaterThanOrEqual(futility.bound);
      expect(futility.p_value).toBeCloseTo(Math.exp(-futility.log_likelihood_ratio), 9);
      expect(futility.confidence_sequence![1]).toBeLessThan(futility.required_gain!);
    });

    it('looks only once both arms have the step’s samples, and records the test on every look', () => {
      const early = look({ readings: readings(arm(20_000), arm(20_000)), stepBaseline: { canary: 19_950, stable: 0 } });
      expect(early.verdict).toEqual({ action: 'inconclusive' });
      expect(early.statistics.futility).toMatchObject({ futile: true });
      expect(look().statistics.futility).toMatchObject({
        futile: false,
        bound: expect.closeTo(Math.log(20), 6),
        alpha: 0.05,
      });
    });

    it('holds a futile challenger at its weight while harm is in sight, for the comparison to decide', () => {
      const previous = { success_rate: { harm_p_value: 0.03, non_inferiority_p_value: 1 } };
      const decision = look({ readings: readings(arm(20_000), arm(20_000)), previous });
      expect(decision.verdict).toEqual({ action: 'inconclusive' });
      expect(decision.reason).toMatch(
        /cannot reach the promotion lift.*but it may be worse, not just no better \(success_rate\): held at this weight/,
      );
    });

    it('holds one that scores below the champion so far: worse is the comparison’s to show, and a rollback', () => {
      const decision = look({ readings: readings(arm(20_000, { success: 0.795 }), arm(20_000)) });
      expect(decision.statistics.futility).toMatchObject({ futile: true });
      expect(decision.statistics.futility.difference).toBeLessThan(0);
      expect(decision.verdict.action).not.toBe('retire');
      expect(decision.reason).toMatch(/may be worse, not just no better \(the score \(difference -[\d.]+\)/);
    });

    it('does not find a clearly better challenger futile', () => {
      const decision = look({ readings: readings(arm(20_000, { success: 0.9, helpful: 0.8 }), arm(20_000)) });
      expect(decision.statistics.futility).toMatchObject({ futile: false });
      expect(decision.statistics.futility.difference).toBeGreaterThan(decision.statistics.futility.required_gain!);
    });
  });

  describe('at the last canary step', () => {
    const last = {
      status: 'running' as const,
      stepIndex: 2,
      steps: [5, 25, 50, 100],
      startedAt: START,
      stepStartedAt: START,
    };

    it('promotes a candidate shown better with a lift ≥ min_lift, recording the score', () => {
      const canary = arm(2000, { success: 0.9, helpful: 0.8 });
      const decision = look({
        rollout: last,
        readings: readings(canary, arm(2000), { recentCanary: arm(200, { success: 0.9 }) }),
      });
      expect(decision.verdict).toEqual({ action: 'promote' });
      expect(decision.reason).toMatch(/significantly better on success_rate.*lift 0\.\d+ ≥ 0\.05/);
      expect(decision.statistics.score).toMatchObject({
        min_lift: 0.05,
        components: [
          expect.objectContaining({ name: 'quality' }),
          expect.objectContaining({ name: 'positive' }),
          expect.objectContaining({ name: 'latency', weight: -0.2 }),
        ],
      });
      const { canary: c, stable: s, lift } = decision.statistics.score;
      expect(lift).toBeCloseTo((c - s) / s, 5);
    });

    it('keeps testing a candidate that is not better, then retires it (or pauses, or rolls back) at the step limit', () => {
      expect(look({ rollout: last }).verdict).toEqual({ action: 'inconclusive' });
      expect(look({ rollout: last }).reason).toMatch(/^lift 0 below min_lift 0\.05: testing on$/);
      const late = look({ rollout: last, now: minutes(61) });
      expect(late.verdict).toEqual({ action: 'retire', cause: 'inconclusive' });
      expect(late.reason).toMatch(
        /step 2 has run 61\.0 min \(max_step_duration_minutes 60\): retired, the champion stays$/,
      );
      const paused = look({ rollout: last, now: minutes(61), policy: { canary: { on_inconclusive: 'pause' } } });
      expect(paused.verdict).toEqual({ action: 'pause' });
      expect(paused.reason).toMatch(/; paused for a person$/);
      expect(
        look({ rollout: last, now: minutes(61), policy: { canary: { on_inconclusive: 'rollback' } } }).verdict,
      ).toEqual({ action: 'rollback', cause: 'timeout' });
    });

    it('stops at max_rollout_duration_hours whatever the step', () => {
      const decision = look({ rollout: { ...last, stepStartedAt: minutes(24 * 60 - 5) }, now: minutes(24 * 60) });
      expect(decision.reason).toMatch(/the rollout has run 24\.00 h/);
    });
  });
});
