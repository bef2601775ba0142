import type { RetireReason } from '@metaloop/control';
import type { Policy } from '@metaloop/policies';
import { armSummary, type ArmSums } from './arm-sums';
import { futilityTest, type FutilityTest } from './futility';
import { guardedTests, type GuardedTest, type PreviousPValues, type RegisteredMetricReading } from './guarded-tests';
import { describeBreach, hardThresholdChecks, type HardThresholdCheck } from './hard-thresholds';
import { championScore, type ChampionScore } from './promotion-score';

export interface LookReadings {
  /** Each arm since the rollout started: the comparison's "same window". */
  canary: ArmSums;
  stable: ArmSums;
  /** Each arm over the hard thresholds' window (the last `max_complaints.window_minutes`). */
  recentCanary: ArmSums;
  recentStable: ArmSums;
  registered: RegisteredMetricReading[];
}

export interface LookInput {
  policy: Pick<Policy, 'canary' | 'auto_rollback' | 'freeze'>;
  rollout: {
    status: 'running' | 'paused';
    stepIndex: number;
    steps: readonly number[];
    startedAt: Date;
    stepStartedAt: Date;
    /** When a paused rollout was paused (its `pause` decision). */
    pausedAt?: Date;
  };
  now: Date;
  /** The runtime freeze or the policy file's. */
  frozen: boolean;
  /** Events of each arm (since the rollout started) when the current step began. */
  stepBaseline: { canary: number; stable: number };
  previous: PreviousPValues;
  readings: LookReadings;
}

export type LookVerdict =
  | { action: 'rollback'; cause: 'hard_threshold' | 'comparative' | 'timeout' | 'freeze' }
  | { action: 'retire'; cause: RetireReason }
  | { action: 'advance'; toStep: number }
  | { action: 'promote' }
  | { action: 'pause' }
  | { action: 'hold' }
  | { action: 'inconclusive' };

export interface LookStatistics {
  arms: {
    canary: ReturnType<typeof armSummary>;
    stable: ReturnType<typeof armSummary>;
    recent_canary: ReturnType<typeof armSummary>;
    recent_stable: ReturnType<typeof armSummary>;
  };
  step: {
    index: number;
    weight: number;
    canary_samples: number;
    stable_samples: number;
    min_samples_per_arm: number;
    baseline: { canary: number; stable: number };
  };
  hard_thresholds: HardThresholdCheck[];
  tests: GuardedTest[];
  score: ChampionScore;
  futility: FutilityTest;
}

export interface LookDecision {
  verdict: LookVerdict;
  reason: string;
  statistics: LookStatistics;
}

const MINUTE_MS = 60_000;

/**
 * One look at a rollout, decided from its readings alone (pure, so it can be simulated over many
 * rollouts). In order: the hard thresholds on both arms' recent window (a breach the change is to
 * blame for rolls back at once, frozen or not); a freeze with `in_flight: rollback`; the
 * sequential comparison canary vs stable (any guarded metric significantly worse rolls back); a
 * paused rollout holds until `paused_max_minutes` after its pause, then is retired; a frozen one
 * holds. Once both arms have `min_samples_per_arm` new events in the step: a challenger shown
 * unable to reach the promotion lift (the futility test at `futility_alpha`) is retired, the
 * champion kept; otherwise the step passes, and the step before 100 % promotes only when the
 * lift is ≥ `min_lift` and the candidate is shown better: some guarded metric significantly better
 * (the same always-valid test, its other side). A step that has not passed within
 * `max_step_duration_minutes` (or a rollout within `max_rollout_duration_hours`) gets
 * `on_inconclusive`: retire, pause for a person, or roll back. With `auto_rollback.enabled:
 * false` what would roll back pauses instead (and a paused rollout past its limit is retired).
 */
export function decideLook(input: LookInput): LookDecision {
  const { policy, rollout, readings, stepBaseline, now } = input;
  const { canary: canaryPolicy, auto_rollback: auto } = policy;
  const hard = hardThresholdChecks(auto, readings);
  const tests = guardedTests(canaryPolicy, readings.canary, readings.stable, readings.registered, input.previous);
  const score = championScore(canaryPolicy.promotion, readings.canary, readings.stable);
  const futility = futilityTest(canaryPolicy, readings.canary, readings.stable);
  const step = {
    index: rollout.stepIndex,
    weight: rollout.steps[rollout.stepIndex]!,
    canary_samples: readings.canary.count - stepBaseline.canary,
    stable_samples: readings.stable.count - stepBaseline.stable,
    min_samples_per_arm: canaryPolicy.min_samples_per_arm,
    baseline: stepBaseline,
  };
  const statistics: LookStatistics = {
    arms: {
      canary: armSummary(readings.canary),
      stable: armSummary(readings.stable),
      recent_canary: armSummary(readings.recentCanary),
      recent_stable: armSummary(readings.recentStable),
    },
    step,
    hard_thresholds: hard,
    tests,
    score,
    futility,
  };
  // An excused hard threshold is said in every reason but a rollback's (which names its own cause).
  const excused = hard.filter((check) => check.excused).map(describeBreach);
  const decide = (verdict: LookVerdict, reason: string): LookDecision => ({
    verdict,
    reason: excused.length > 0 && verdict.action !== 'rollback' ? `${reason}; ${excused.join('; ')}` : reason,
    statistics,
  });
  const retire = (cause: RetireReason, reason: string) =>
    decide({ action: 'retire', cause }, `${reason}: retired, the champion stays`);
  const pausedMinutes =
    rollout.status === 'paused'
      ? (now.getTime() - (rollout.pausedAt ?? rollout.stepStartedAt).getTime()) / MINUTE_MS
      : 0;
  const pausedTooLong =
    rollout.status === 'paused' && pausedMinutes >= canaryPolicy.paused_max_minutes
      ? `paused ${pausedMinutes.toFixed(1)} min ago and nobody decided (paused_max_minutes ${canaryPolicy.paused_max_minutes})`
      : undefined;
  const rollBack = (cause: 'hard_threshold' | 'comparative', reason: string): LookDecision => {
    if (auto.enabled) return decide({ action: 'rollback', cause }, reason);
    const why = `${reason}; auto_rollback is off, so a person decides`;
    if (rollout.status === 'running') return decide({ action: 'pause' }, why);
    return pausedTooLong ? retire('paused_expired', `${why}, but ${pausedTooLong}`) : decide({ action: 'hold' }, why);
  };

  const breached = hard.filter((check) => check.breached);
  if (breached.length > 0) return rollBack('hard_threshold', breached.map(describeBreach).join('; '));
  if (input.frozen && policy.freeze.in_flight === 'rollback')
    return decide(
      { action: 'rollback', cause: 'freeze' },
      'frozen, and the policy rolls running canaries back (freeze.in_flight: rollback)',
    );
  const worse = tests.filter((test) => test.decision === 'worse');
  if (worse.length > 0) {
    const which = worse.map(
      (t) =>
        `${t.metric} (difference ${t.difference}, always-valid p ${t.harm_p_value.toPrecision(3)} ≤ α ${t.alpha.toPrecision(3)})`,
    );
    return rollBack('comparative', `canary significantly worse than stable on ${which.join(', ')}`);
  }
  if (pausedTooLong) return retire('paused_expired', pausedTooLong);
  if (rollout.status === 'paused')
    return decide({ action: 'hold' }, 'paused: waiting for a person (roll it back, or it stays at its weight)');
  if (input.frozen) return decide({ action: 'hold' }, 'frozen: no further steps (freeze.in_flight: hold)');

  const lastCanaryStep = rollout.steps.length - 2;
  const enough = step.canary_samples >= step.min_samples_per_arm && step.stable_samples >= step.min_samples_per_arm;
  const liftOk = score.lift !== null ? score.lift >= score.min_lift : score.min_lift <= 0;
  const better = tests.filter((test) => test.decision === 'better').map((test) => test.metric);
  if (rollout.stepIndex > lastCanaryStep)
    return decide({ action: 'promote' }, 'no canary step left: the candidate takes all traffic');
  // Harm is the comparison's to judge (a rollback): a futile challenger that scores below the
  // champion so far, or whose harm evidence on some guarded metric already reaches futility_alpha,
  // stays at its weight and is tested on; only one that looks no worse is retired as not better.
  const futile = enough && futility.futile;
  const harmInSight = [
    ...(futility.difference !== null && futility.difference < 0
      ? [`the score (difference ${futility.difference})`]
      : []),
    ...tests.filter((t) => t.harm_p_value <= canaryPolicy.futility_alpha).map((t) => t.metric),
  ];
  const shortOfLift = `the challenger cannot reach the promotion lift ${score.min_lift}: score difference ${futility.difference} short of the required ${futility.required_gain} (always-valid p ${futility.p_value.toPrecision(3)} ≤ α ${futility.alpha})`;
  if (futile && harmInSight.length === 0) return retire('futility', shortOfLift);
  if (enough && !futile && rollout.stepIndex < lastCanaryStep) {
    const next = rollout.stepIndex + 1;
    return decide(
      { action: 'advance', toStep: next },
      `step ${rollout.stepIndex} passed: ${step.canary_samples} canary and ${step.stable_samples} stable events, no guarded metric worse; on to ${rollout.steps[next]} %`,
    );
  }
  if (enough && liftOk && better.length > 0) {
    return decide(
      { action: 'promote' },
      `last canary step passed: no guarded metric worse, significantly better on ${better.join(', ')}, champion/challenger lift ${score.lift} ≥ ${score.min_lift}`,
    );
  }

  const waiting = !enough
    ? `waiting for ${step.min_samples_per_arm} events per arm in this step (canary ${step.canary_samples}, stable ${step.stable_samples})`
    : futile
      ? `${shortOfLift}, but it may be worse, not just no better (${harmInSight.join(', ')}): held at this weight for the comparison to decide`
      : !liftOk
        ? `lift ${score.lift ?? 'not measurable'} below min_lift ${score.min_lift}: testing on`
        : `lift ${score.lift} but no guarded metric significantly better yet: testing on`;
  const stepMinutes = (now.getTime() - rollout.stepStartedAt.getTime()) / MINUTE_MS;
  const rolloutHours = (now.getTime() - rollout.startedAt.getTime()) / (60 * MINUTE_MS);
  const expired =
    rolloutHours >= canaryPolicy.max_rollout_duration_hours
      ? `the rollout has run ${rolloutHours.toFixed(2)} h (max_rollout_duration_hours ${canaryPolicy.max_rollout_duration_hours})`
      : stepMinutes >= canaryPolicy.max_step_duration_minutes
        ? `step ${rollout.stepIndex} has run ${stepMinutes.toFixed(1)} min (max_step_duration_minutes ${canaryPolicy.max_step_duration_minutes})`
        : undefined;
  if (!expired) return decide({ action: 'inconclusive' }, waiting);
  const why = `inconclusive: ${waiting}, and ${expired}`;
  switch (canaryPolicy.on_inconclusive) {
    case 'retire':
      return retire('inconclusive', why);
    case 'rollback':
      return decide({ action: 'rollback', cause: 'timeout' }, why);
    case 'pause':
      return decide({ action: 'pause' }, `${why}; paused for a person`);
  }
}
