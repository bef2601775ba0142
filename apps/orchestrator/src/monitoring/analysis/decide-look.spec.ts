import { latencyBucket } from '@metaloop/events';
import { policySchema, type PolicyInput } from '@metaloop/policies';
import { emptySums, type ArmSums } from './arm-sums';
import { decideLook, type LookInput } from './decide-look';

const START = new Date('2026-12-01T00:00:00Z');
const minutes = (m: number) => new Date(START.getTime() + m * 60_000);

/** An arm of `n` events with the given rates (deterministic: exactly those shares). */
function arm(n: number, rates: { success?: number; error?: number; rating?: number; helpful?: number; latencyMs?: number; complaints?: number } = {}): ArmSums {
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

function look(overrides: Partial<Omit<LookInput, 'policy'>> & { policy?: PolicyInput } = {}) {
  const canary = arm(200);
  const base: LookInput = {
    policy: policySchema.parse(overrides.policy ?? {}),
    rollout: { status: 'running', stepIndex: 0, steps: [5, 25, 50, 100], startedAt: START, stepStartedAt: START },
    now: minutes(5),
    frozen: false,
    stepBaseline: { canary: 0, stable: 0 },
    previous: {},
    readings: { canary, stable: arm(2000), recentCanary: canary, registered: [] },
  };
  return decideLook({ ...base, ...overrides, policy: base.policy });
}

describe('decideLook', () => {
  it('passes a healthy step with enough events in both arms, and records the evidence', () => {
    const decision = look();
    expect(decision.verdict).toEqual({ action: 'advance', toStep: 1 });
    expect(decision.statistics.step).toMatchObject({ index: 0, weight: 5, canary_samples: 200, stable_samples: 2000, min_samples_per_arm: 100 });
    expect(decision.statistics.tests.map((t) => t.metric)).toEqual(['success_rate', 'error_rate', 'p95_latency_ms', 'mean_rating', 'complaint_rate']);
    expect(decision.statistics.tests[0]).toMatchObject({ decision: 'inconclusive', alpha: 0.004, threshold: expect.closeTo(Math.log(250), 6) });
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
    ['error rate', arm(40, { error: 0.2 }), /canary error rate 0\.2 > 0\.15 over 40 events/],
    ['p95 response time', arm(40, { latencyMs: 12_000 }), /canary p95 response time [\d.]+ ms > 10000 ms/],
    ['complaints', { ...arm(40), complaints: 6 }, /6 canary complaints in the last 10 min, more than 5/],
  ])('rolls back at once on a hard threshold: %s — frozen or not', (_name, recentCanary, reason) => {
    for (const frozen of [false, true]) {
      const decision = look({ frozen, readings: { canary: arm(200), stable: arm(2000), recentCanary, registered: [] } });
      expect(decision.verdict).toEqual({ action: 'rollback', cause: 'hard_threshold' });
      expect(decision.reason).toMatch(reason);
    }
  });

  it('lets the error-rate trigger wait for auto_rollback.min_samples', () => {
    const decision = look({ readings: { canary: arm(10, { error: 0.5 }), stable: arm(2000), recentCanary: arm(10, { error: 0.5 }), registered: [] } });
    expect(decision.statistics.hard_thresholds[0]).toMatchObject({ value: 0.5, n: 10, breached: false });
  });

  it('rolls back when a guarded metric is significantly worse, naming it and its evidence', () => {
    const canary = arm(600, { success: 0.6 });
    const decision = look({ readings: { canary, stable: arm(3000), recentCanary: canary, registered: [] } });
    expect(decision.verdict).toEqual({ action: 'rollback', cause: 'comparative' });
    expect(decision.reason).toMatch(/^canary significantly worse than stable on success_rate \(difference -0\.2, always-valid p [\d.e-]+ ≤ α 0\.00400\)/);
    const test = decision.statistics.tests.find((t) => t.metric === 'success_rate')!;
    expect(test.log_likelihood_ratio).toBeGreaterThan(test.threshold);
    expect(test.confidence_sequence![1]).toBeLessThan(0);
  });

  it('guards registered metrics in their optimize direction', () => {
    const registered = [{ name: 'resolution', type: 'float' as const, optimize: 'min' as const, canary: { n: 500, sum: 500 * 3, sumSq: 500 * 10 }, stable: { n: 3000, sum: 3000 * 2, sumSq: 3000 * 5 } }];
    const decision = look({ readings: { canary: arm(500), stable: arm(3000), recentCanary: arm(500), registered } });
    expect(decision.verdict).toEqual({ action: 'rollback', cause: 'comparative' });
    expect(decision.reason).toMatch(/metrics\.resolution/);
    expect(decision.statistics.tests).toHaveLength(6);
  });

  it('pauses instead of rolling back when auto_rollback is off', () => {
    const decision = look({ policy: { auto_rollback: { enabled: false } }, readings: { canary: arm(200), stable: arm(2000), recentCanary: arm(40, { error: 0.5 }), registered: [] } });
    expect(decision.verdict).toEqual({ action: 'pause' });
    expect(decision.reason).toMatch(/auto_rollback is off, so a person decides$/);
  });

  it('holds while frozen, or rolls back when the policy says in_flight: rollback', () => {
    expect(look({ frozen: true }).verdict).toEqual({ action: 'hold' });
    expect(look({ frozen: true, policy: { freeze: { in_flight: 'rollback' } } }).verdict).toEqual({ action: 'rollback', cause: 'freeze' });
  });

  it('keeps a paused rollout where it is', () => {
    expect(look({ rollout: { status: 'paused', stepIndex: 0, steps: [5, 25, 50, 100], startedAt: START, stepStartedAt: START } }).verdict).toEqual({ action: 'hold' });
  });

  describe('at the last canary step', () => {
    const last = { status: 'running' as const, stepIndex: 2, steps: [5, 25, 50, 100], startedAt: START, stepStartedAt: START };

    it('promotes a candidate shown better with a lift ≥ min_lift, recording the score', () => {
      const canary = arm(2000, { success: 0.9, helpful: 0.8 });
      const decision = look({ rollout: last, readings: { canary, stable: arm(2000), recentCanary: arm(200, { success: 0.9 }), registered: [] } });
      expect(decision.verdict).toEqual({ action: 'promote' });
      expect(decision.reason).toMatch(/significantly better on success_rate.*lift 0\.\d+ ≥ 0\.05/);
      expect(decision.statistics.score).toMatchObject({ min_lift: 0.05, components: [expect.objectContaining({ name: 'quality' }), expect.objectContaining({ name: 'positive' }), expect.objectContaining({ name: 'latency', weight: -0.2 })] });
      const { canary: c, stable: s, lift } = decision.statistics.score;
      expect(lift).toBeCloseTo((c - s) / s, 5);
    });

    it('keeps testing a candidate that is not better, then pauses (or rolls back) at the step limit', () => {
      expect(look({ rollout: last }).verdict).toEqual({ action: 'inconclusive' });
      expect(look({ rollout: last }).reason).toMatch(/^lift 0 below min_lift 0\.05: testing on$/);
      const late = look({ rollout: last, now: minutes(61) });
      expect(late.verdict).toEqual({ action: 'pause' });
      expect(late.reason).toMatch(/step 2 has run 61\.0 min \(max_step_duration_minutes 60\); paused for a person$/);
      expect(look({ rollout: last, now: minutes(61), policy: { canary: { on_inconclusive: 'rollback' } } }).verdict).toEqual({ action: 'rollback', cause: 'timeout' });
    });

    it('stops at max_rollout_duration_hours whatever the step', () => {
      const decision = look({ rollout: { ...last, stepStartedAt: minutes(24 * 60 - 5) }, now: minutes(24 * 60) });
      expect(decision.reason).toMatch(/the rollout has run 24\.00 h/);
    });
  });
});
