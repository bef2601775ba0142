import type { AutoRollbackPolicy } from '@metaloop/policies';
import { poissonSf, sequentialMeanTest, sequentialProportionTest, type SequentialResult } from '@metaloop/stats';
import { errorRate, finiteOrNull, latencyMoments, p95LatencyMs, round, type ArmSums } from './arm-sums';

export interface HardThresholdCheck {
  name: 'error_rate' | 'p95_latency_ms' | 'complaints';
  /** The canary's value in the window; null: not measured yet (no events). */
  value: number | null;
  /** Stable's value in the same minutes. */
  stable_value: number | null;
  threshold: number;
  /** Canary events in the window (timed events for latency), and stable's. */
  n: number;
  stable_n: number;
  /** Complaints: λ, what stable's complaint rate predicts for the canary's events; null for the other checks. */
  expected: number | null;
  /** Complaints: k − λ, what the canary adds; null for the other checks. */
  excess: number | null;
  /**
   * complaints: the Poisson upper tail P(X ≥ k | λ), whose statistic is k; error rate and latency:
   * the always-valid one-sided test "canary better than stable" that excuses a breach (ln Λ).
   */
  test: 'poisson_upper_tail' | 'msprt_normal_mixture';
  statistic: number | null;
  p_value: number | null;
  alpha: number;
  /**
   * Above the bound, but not the change's doing: stable is above the bound too in the same minutes
   * (both arms are in trouble), or the canary is significantly better than stable on that measure.
   */
  excused: boolean;
  /** What the check found, in words (why it breached, or why it was excused); null when it is within the bound. */
  note: string | null;
  breached: boolean;
}

interface Windows {
  /** Both arms over the last `max_complaints.window_minutes`. */
  recentCanary: ArmSums;
  recentStable: ArmSums;
}

const brief = (x: number) => Number(x.toPrecision(3));
const pText = (p: number) => p.toPrecision(3);

/**
 * Seed 004's hard triggers, applied to what the canary adds, on both arms' recent window (the
 * last `max_complaints.window_minutes`):
 * - complaints: k canary complaints against λ = stable's complaint rate × the canary's events in
 *   the same minutes. Breach iff k − λ > `max_complaints.count` and P(X ≥ k | Poisson λ) ≤
 *   `alpha`. With no complaints on stable λ = 0, so more than `count` complaints breach (the seed's
 *   rule); a canary complaining less than stable predicts never breaches, however busy.
 * - error rate > `max_error_rate` and p95 > `max_response_time_ms` (each once `min_samples` events
 *   are in) breach, unless both arms are in trouble: stable is above the bound too in the same
 *   minutes (with `min_samples` of its own), or the canary is significantly better than stable on
 *   that same measure (one-sided always-valid test at `alpha`: errors as a proportion, latency as
 *   the histogram's mean). Then the change is not the cause, the check is excused and says so, and
 *   the comparative tests decide (a canary worse than a troubled stable still rolls back there).
 * The windows slide, so each look's p-value stands alone (no running minimum).
 */
export function hardThresholdChecks(policy: AutoRollbackPolicy, windows: Windows): HardThresholdCheck[] {
  return [errorRateCheck(policy, windows), latencyCheck(policy, windows), complaintsCheck(policy, windows)];
}

function errorRateCheck(policy: AutoRollbackPolicy, { recentCanary: canary, recentStable: stable }: Windows): HardThresholdCheck {
  const value = errorRate(canary);
  const above = canary.count >= policy.min_samples && value !== undefined && value > policy.max_error_rate;
  const stableValue = errorRate(stable);
  const stableAbove = stable.count >= policy.min_samples && stableValue !== undefined && stableValue > policy.max_error_rate;
  const better = sequentialProportionTest({ successes: canary.errors, n: canary.count }, { successes: stable.errors, n: stable.count }, betterOptions(policy));
  const stated = `canary error rate ${brief(value ?? 0)} > ${policy.max_error_rate} over ${canary.count} events`;
  const stableText = `stable ${stable.count > 0 ? brief(stable.errors / stable.count) : 'no events'} over ${stable.count}`;
  return excusable('error_rate', policy, { value, stableValue, n: canary.count, stableN: stable.count, above, stableAbove, better, stated, stableText });
}

function latencyCheck(policy: AutoRollbackPolicy, { recentCanary: canary, recentStable: stable }: Windows): HardThresholdCheck {
  const value = p95LatencyMs(canary);
  const stableValue = p95LatencyMs(stable);
  const above = canary.latencyCount >= policy.min_samples && value !== undefined && value > policy.max_response_time_ms;
  const stableAbove = stable.latencyCount >= policy.min_samples && stableValue !== undefined && stableValue > policy.max_response_time_ms;
  const better = sequentialMeanTest(latencyMoments(canary), latencyMoments(stable), betterOptions(policy));
  const stated = `canary p95 response time ${brief(value ?? 0)} ms > ${policy.max_response_time_ms} ms over ${canary.latencyCount} events`;
  const stableText = `stable p95 ${stableValue === undefined ? 'not measured' : `${brief(stableValue)} ms`} over ${stable.latencyCount}`;
  return excusable('p95_latency_ms', policy, { value, stableValue, n: canary.latencyCount, stableN: stable.latencyCount, above, stableAbove, better, stated, stableText });
}

/** "Canary better" is the lower side: its rejection (with no margin) is the canary significantly lower than stable. */
const betterOptions = (policy: AutoRollbackPolicy) => ({ alpha: policy.alpha, better: 'lower' as const, minSamples: policy.min_samples });

interface Measured {
  value: number | undefined;
  stableValue: number | undefined;
  n: number;
  stableN: number;
  above: boolean;
  /** Stable over the same bound in the same minutes. */
  stableAbove: boolean;
  better: SequentialResult;
  stated: string;
  stableText: string;
}

function excusable(name: 'error_rate' | 'p95_latency_ms', policy: AutoRollbackPolicy, m: Measured): HardThresholdCheck {
  const { logLikelihoodRatio, pValue, rejected } = m.better.nonInferiority;
  const excused = m.above && (m.stableAbove || rejected);
  const test = `canary ${rejected ? '' : 'not '}significantly better: always-valid p ${pText(pValue)} ${rejected ? '≤' : '>'} α ${policy.alpha}`;
  const evidence = `last ${policy.max_complaints.window_minutes} min; ${m.stableText}${m.stableAbove ? ', above the bound too' : ''}; ${test}`;
  return {
    name,
    value: finiteOrNull(m.value),
    stable_value: finiteOrNull(m.stableValue),
    threshold: name === 'error_rate' ? policy.max_error_rate : policy.max_response_time_ms,
    n: m.n,
    stable_n: m.stableN,
    expected: null,
    excess: null,
    test: 'msprt_normal_mixture',
    statistic: round(logLikelihoodRatio),
    p_value: pValue,
    alpha: policy.alpha,
    excused,
    note: !m.above ? null : excused ? `${m.stated} excused (${evidence}): both arms are in trouble, not the change` : `${m.stated} (${evidence})`,
    breached: m.above && !excused,
  };
}

function complaintsCheck(policy: AutoRollbackPolicy, { recentCanary: canary, recentStable: stable }: Windows): HardThresholdCheck {
  const k = canary.complaints;
  const stableRate = stable.count > 0 ? stable.complaints / stable.count : 0;
  const expected = stableRate * canary.count;
  const excess = k - expected;
  const pValue = poissonSf(k, expected);
  const breached = excess > policy.max_complaints.count && pValue <= policy.alpha;
  return {
    name: 'complaints',
    value: k,
    stable_value: finiteOrNull(stable.count > 0 ? stableRate : undefined),
    threshold: policy.max_complaints.count,
    n: canary.count,
    stable_n: stable.count,
    expected: round(expected),
    excess: round(excess),
    test: 'poisson_upper_tail',
    statistic: k,
    p_value: pValue,
    alpha: policy.alpha,
    excused: false,
    note: breached
      ? `${k} canary complaints in the last ${policy.max_complaints.window_minutes} min, ${round(excess, 3)} more than stable's rate predicts (${round(expected, 3)} over ${canary.count} canary events), more than ${policy.max_complaints.count}; Poisson p ${pText(pValue)} ≤ α ${policy.alpha}`
      : null,
    breached,
  };
}

/** Why a check breached (or was excused), with its figures: the rollback's reason. */
export function describeBreach(check: HardThresholdCheck): string {
  return check.note ?? `${check.name} within its bound`;
}
