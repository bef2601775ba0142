import type { CanaryPolicy } from '@metaloop/policies';
import { SEQUENTIAL_DEFAULTS, sequentialCompare, type SequentialArm } from '@metaloop/stats';
import { finiteOrNull, round, type ArmSums } from './arm-sums';
import { requiredGain, scoreComponents, type ComponentEstimate } from './promotion-score';

/** Whether the challenger can still reach the promotion lift, as the decision record keeps it. */
export interface FutilityTest {
  test: 'msprt_normal_mixture';
  /** The null the test tries to reject: the challenger's score reaches the promotion lift. */
  null_hypothesis: 'score lift ≥ min_lift';
  n_canary: number;
  n_stable: number;
  /** canary − stable score, and the gain min_lift asks for in score units; null without a tested component. */
  difference: number | null;
  required_gain: number | null;
  /** Of the difference: quality and positive components combined conservatively, latency plugged in. */
  standard_error: number | null;
  /** ln Λ of "short of the required gain" and the bound ln(1/futility_alpha) it must reach. */
  log_likelihood_ratio: number;
  bound: number;
  /** Always-valid p-value of this look: min(1, 1/Λ). */
  p_value: number;
  alpha: number;
  /** Always-valid confidence sequence of the score difference; null before the minimum samples. */
  confidence_sequence: [number, number] | null;
  /** The bound was reached: the challenger cannot reach the promotion lift. */
  futile: boolean;
}

/**
 * Futility (seed 001: a challenger that is not better is retired, the champion kept), from the
 * same always-valid statistics as the guarded tests: an mSPRT on the champion/challenger score
 * difference D with the null "D ≥ g", g the gain `min_lift` asks for (min_lift · |stable score|),
 * i.e. sequentialCompare with the margin −g. Rejected at `futility_alpha`, the challenger cannot
 * reach the lift. Each arm's score is Σ wᵢ·meanᵢ; its variance is bounded without the unknown
 * covariance of the components measured on the same sessions, (Σ |wᵢ|·seᵢ)² ≥ Var(Σ wᵢ·meanᵢ),
 * so the test errs towards going on; the latency component (a p95) is plugged in as known. g is
 * plugged in from stable's score, which moves little once stable has its share of the traffic.
 */
export function futilityTest(policy: CanaryPolicy, canary: ArmSums, stable: ArmSums): FutilityTest {
  const components = scoreComponents(policy.promotion, canary, stable);
  const [c, s] = [scoreArm(components, 'canary'), scoreArm(components, 'stable')];
  const gain = requiredGain(policy.promotion.min_lift, s.mean);
  const result = sequentialCompare(c, s, {
    alpha: policy.futility_alpha,
    margin: -gain,
    minSamples: Math.min(SEQUENTIAL_DEFAULTS.minSamples, policy.min_samples_per_arm),
  });
  const tested = c.variance > 0 && s.variance > 0;
  const { lower, upper } = result.confidenceSequence;
  return {
    test: result.test,
    null_hypothesis: 'score lift ≥ min_lift',
    n_canary: c.n,
    n_stable: s.n,
    difference: tested ? round(result.difference) : null,
    required_gain: tested ? round(gain) : null,
    standard_error: finiteOrNull(result.standardError),
    log_likelihood_ratio: round(result.harm.logLikelihoodRatio),
    bound: round(result.harm.threshold),
    p_value: result.harm.pValue,
    alpha: policy.futility_alpha,
    confidence_sequence: Number.isFinite(lower) && Number.isFinite(upper) ? [round(lower), round(upper)] : null,
    futile: result.harm.rejected,
  };
}

/**
 * One arm's score as a sequential arm: mean Σ wᵢ·meanᵢ, standard error Σ |wᵢ|·√(varᵢ/nᵢ) (the
 * conservative bound), counted in the first component's observations (quality, else positive).
 */
function scoreArm(components: readonly ComponentEstimate[], side: 'canary' | 'stable'): SequentialArm {
  const mean = components.reduce((sum, c) => sum + c.weight * c[side].mean, 0);
  const se = components.reduce(
    (sum, c) => sum + (c[side].variance > 0 ? Math.abs(c.weight) * Math.sqrt(c[side].variance / c[side].n) : 0),
    0,
  );
  const n = components[0]?.[side].n ?? 0;
  return { n, mean, variance: n * se * se };
}
