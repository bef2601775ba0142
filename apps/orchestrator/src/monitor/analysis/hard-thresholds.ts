import type { AutoRollbackPolicy } from '@metaloop/policies';
import {
  binomialShareTest,
  sequentialMeanTest,
  sequentialProportionTest,
  type SequentialOptions,
} from '@metaloop/stats';
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
   * The always-valid one-sided test that blames the change — the canary significantly above stable
   * in the same minutes: complaints, the canary's share of all complaints against its share of the
   * events (a uniform mixture over shares above it; statistic k); error rate and latency, the
   * mSPRT of the guarded comparisons with a wide mixture (effects worth a hard trigger are large;
   * statistic ln Λ). `none` when stable has too few events to compare with: the bound alone
   * decides, as the seed's rule does.
   */
  test: 'binomial_share_mixture' | 'msprt_normal_mixture' | 'none';
  statistic: number | null;
  p_value: number | null;
  alpha: number;
  /** Above the bound, but not shown to be the change's doing: the canary is not significantly worse than stable. */
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

/** A one-sided comparison "the canary is higher than stable", or none when stable has too little to compare with. */
interface Blame {
  test: HardThresholdCheck['test'];
  statistic: number | null;
  pValue: number | null;
}

const brief = (x: number) => Number(x.toPrecision(3));
const pText = (p: number) => p.toPrecision(3);

/**
 * Seed 004's hard triggers, applied to what the canary adds, on both arms' recent window (the
 * last `max_complaints.window_minutes`). Each breaches only when the canary is over the seed's
 * bound AND an always-valid one-sided test at `alpha` says the canary is significantly above stable
 * in the same minutes — the change, not the traffic, is the cause. Always-valid, because the
 * window is looked at every interval: a fixed-sample test at 1 % looked at a hundred times rolled
 * back identical candidates of troubled agents.

 * - complaints: k canary complaints, λ = stable's complaint rate × the canary's events; the excess
 *   k − λ must be more than `max_complaints.count`, and the canary's share of all complaints
 *   significantly above its share w of the events (binomialShareTest: stable's count is noisy
 *   too). With no complaints on stable, 6 canary complaints breach while the canary has up to about
 *   a third of the traffic (Λ ≈ 10⁷ at 5 %, 780 at 25 %), as the seed says; at equal traffic 6
 *   against 0 (Λ ≈ 18) waits for more. A canary complaining less than stable predicts never breaches.
 * - error rate > `max_error_rate` and p95 > `max_response_time_ms` (each once `min_samples` events
 *   are in): the canary's error rate (as a proportion) or latency (the histograms' means)
 *   significantly above stable's. A canary above the bound but not shown worse than stable — both
 *   arms in trouble alike, or the canary better — is excused with why, and the comparative tests
 *   decide. When stable has fewer than `min_samples` events the bound alone decides.
 * The windows slide, so each look's p-value stands alone (no running minimum).
 */
export function hardThresholdChecks(policy: AutoRollbackPolicy, windows: Windows): HardThresholdCheck[] {
  return [errorRateCheck(policy, windows), latencyCheck(policy, windows), complaintsCheck(policy, windows)];
}

function errorRateCheck(
  policy: AutoRollbackPolicy,
  { recentCanary: canary, recentStable: stable }: Windows,
): HardThresholdCheck {
  const value = errorRate(canary);
  const above = canary.count >= policy.min_samples && value !== undefined && value > policy.max_error_rate;
  const blame = (): Blame => {
    if (stable.count < policy.min_samples) return { test: 'none', statistic: null, pValue: null };
    const { harm } = sequentialProportionTest(
      { successes: canary.errors, n: canary.count },
      { successes: stable.errors, n: stable.count },
      blameOptions(policy),
    );
    return { test: 'msprt_normal_mixture', statistic: harm.logLikelihoodRatio, pValue: harm.pValue };
  };
  const stated = `canary error rate ${brief(value ?? 0)} > ${policy.max_error_rate} over ${canary.count} events`;
  const stableText = `stable ${stable.count > 0 ? brief(stable.errors / stable.count) : 'no events'} over ${stable.count}`;
  return blamed('error_rate', policy, {
    value,
    stableValue: errorRate(stable),
    n: canary.count,
    stableN: stable.count,
    above,
    blame: above ? blame() : null,
    stated,
    stableText,
  });
}

function latencyCheck(
  policy: AutoRollbackPolicy,
  { recentCanary: canary, recentStable: stable }: Windows,
): HardThresholdCheck {
  const value = p95LatencyMs(canary);
  const stableValue = p95LatencyMs(stable);
  const above = canary.latencyCount >= policy.min_samples && value !== undefined && value > policy.max_response_time_ms;
  const blame = (): Blame => {
    if (stable.latencyCount < policy.min_samples) return { test: 'none', statistic: null, pValue: null };
    const { harm } = sequentialMeanTest(latencyMoments(canary), latencyMoments(stable), blameOptions(policy));
    return { test: 'msprt_normal_mixture', statistic: harm.logLikelihoodRatio, pValue: harm.pValue };
  };
  const stated = `canary p95 response time ${brief(value ?? 0)} ms > ${policy.max_response_time_ms} ms over ${canary.latencyCount} events`;
  const stableText = `stable p95 ${stableValue === undefined ? 'not measured' : `${brief(stableValue)} ms`} over ${stable.latencyCount}`;
  return blamed('p95_latency_ms', policy, {
    value,
    stableValue,
    n: canary.latencyCount,
    stableN: stable.latencyCount,
    above,
    blame: above ? blame() : null,
    stated,
    stableText,
  });
}

/**
 * "The canary is higher (worse) than stable": the harm side of the guarded comparisons' mSPRT, with
 * a mixing SD of one per-observation SD — a hard trigger is about large effects, which it then finds
 * within tens of events (20 % errors against 1 % at about 60 canary events; all calls failing at 20).
 */
const blameOptions = (policy: AutoRollbackPolicy): SequentialOptions => ({
  alpha: policy.alpha,
  better: 'lower',
  mixingSd: 1,
  minSamples: policy.min_samples,
});

interface Measured {
  value: number | undefined;
  stableValue: number | undefined;
  n: number;
  stableN: number;
  above: boolean;
  /** Computed only when the canary is over the bound. */
  blame: Blame | null;
  stated: string;
  stableText: string;
}

function blamed(name: 'error_rate' | 'p95_latency_ms', policy: AutoRollbackPolicy, m: Measured): HardThresholdCheck {
  const blame = m.blame ?? { test: 'none' as const, statistic: null, pValue: null };
  const worse = blame.pValue === null || blame.pValue <= policy.alpha;
  const test =
    blame.pValue === null
      ? 'stable has too few events to compare with: the bound decides'
      : `canary ${worse ? '' : 'not '}significantly worse than stable: always-valid ln Λ ${round(blame.statistic ?? 0, 3)}, p ${pText(blame.pValue)} ${worse ? '≤' : '>'} α ${policy.alpha}`;
  const evidence = `last ${policy.max_complaints.window_minutes} min; ${m.stableText}; ${test}`;
  const excused = m.above && !worse;
  return {
    name,
    value: finiteOrNull(m.value),
    stable_value: finiteOrNull(m.stableValue),
    threshold: name === 'error_rate' ? policy.max_error_rate : policy.max_response_time_ms,
    n: m.n,
    stable_n: m.stableN,
    expected: null,
    excess: null,
    test: blame.test,
    statistic: blame.statistic === null ? null : finiteOrNull(blame.statistic),
    p_value: blame.pValue,
    alpha: policy.alpha,
    excused,
    note: !m.above
      ? null
      : excused
        ? `${m.stated} excused (${evidence}): both arms are in trouble, not the change`
        : `${m.stated} (${evidence})`,
    breached: m.above && worse,
  };
}

function complaintsCheck(
  policy: AutoRollbackPolicy,
  { recentCanary: canary, recentStable: stable }: Windows,
): HardThresholdCheck {
  const k = canary.complaints;
  const stableRate = stable.count > 0 ? stable.complaints / stable.count : 0;
  const expected = stableRate * canary.count;
  const excess = k - expected;
  // Under equal rates each complaint is the canary's with its share of the events; with stable
  // (nearly) idle there is nothing to compare with and the count decides.
  const comparable = stable.count >= policy.min_samples;
  const share = comparable ? canary.count / (canary.count + stable.count) : 1;
  const pValue = comparable ? binomialShareTest(k, k + stable.complaints, share).pValue : null;
  const breached = excess > policy.max_complaints.count && (pValue === null || pValue <= policy.alpha);
  return {
    name: 'complaints',
    value: k,
    stable_value: finiteOrNull(stable.count > 0 ? stableRate : undefined),
    threshold: policy.max_complaints.count,
    n: canary.count,
    stable_n: stable.count,
    expected: round(expected),
    excess: round(excess),
    test: comparable ? 'binomial_share_mixture' : 'none',
    statistic: k,
    p_value: pValue,
    alpha: policy.alpha,
    excused: false,
    note: breached
      ? `${k} canary complaints in the last ${policy.max_complaints.window_minutes} min, ${round(excess, 3)} more than stable's rate predicts (${round(expected, 3)} over ${canary.count} canary events), more than ${policy.max_complaints.count}; ${
          pValue === null
            ? `stable has ${stable.count} events to compare with: the count decides`
            : `${k} of all ${k + stable.complaints} complaints on ${round(100 * share, 3)} % of the events, p ${pText(pValue)} ≤ α ${policy.alpha}`
        }`
      : null,
    breached,
  };
}

/** Why a check breached (or was excused), with its figures: the rollback's reason. */
export function describeBreach(check: HardThresholdCheck): string {
  return check.note ?? `${check.name} within its bound`;
}
