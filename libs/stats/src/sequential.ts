import { summarize } from './means';
import { normalCdf } from './normal';
import type { Interval, Moments, Proportion } from './types';

/*
 * Always-valid canary-vs-stable comparison: a mixture sequential probability ratio test
 * (mSPRT, Robbins 1970; Johari et al. 2017) on the difference of two means with a normal
 * mixing distribution, in the Gaussian approximation. The estimate D̂ = mean_c − mean_s with
 * plug-in variance V = s_c²/n_c + s_s²/n_s makes S = D̂/V a Brownian motion in information
 * time I = 1/V whatever the traffic split does between looks, so the mixture likelihood ratio
 * Λ is a (super)martingale under the null and, by Ville's inequality, P(Λ ever ≥ 1/α) ≤ α:
 * the test may be looked at after every interval, as often as wanted, and p = min(1, 1/Λ)
 * (kept as a running minimum) is an always-valid p-value. Each one-sided test mixes over a
 * half-normal N(0, τ²) on its alternative side:
 *   Λ = 2 (1 + τ² I)^(−½) · exp(S² / 2a) · Φ(S / √a),  a = I + 1/τ²,  S = (signed distance to the null) · I.
 * The plug-in variance makes this asymptotic; below `minSamples` per arm it answers inconclusive.
 * The null's boundary −margin may lie on either side of 0: a margin ≥ 0 tolerates a shortfall
 * (non-inferiority), a negative one asks for a gain (futility: is the candidate short of it?).
 * The martingale argument only needs the boundary fixed in advance, not its sign.
 */

export interface SequentialOptions {
  /** Error rate of each one-sided test over ALL looks together; default 0.02. */
  alpha?: number;
  /**
   * τ/σ: SD of the normal mixing distribution over the effect, in units of the per-observation
   * SD. It sets which effects are found fastest (about τ at the information reached); small
   * effects need more samples with a large τ and vice versa. Default 0.25.
   */
  mixingSd?: number;
  /**
   * Shortfall tolerated, in the metric's own units (0.02 = 2 points of success rate, 0.1 of
   * a rating, 50 for ms): the candidate is acceptable when it is not worse by more than this.
   * Negative: a required gain. With margin −g the harm test's null is "improvement ≥ g", so its
   * rejection shows the candidate falls short of the gain g (a futility test), and the other
   * test's rejection shows it reaches it. Default 0.
   */
  margin?: number;
  /** Which direction is better: `higher` (success, rating) or `lower` (latency, cost). Default `higher`. */
  better?: 'higher' | 'lower';
  /** Fewer observations in either arm answer inconclusive (the variance estimate needs them). Default 30. */
  minSamples?: number;
  /** The always-valid p-values of the previous look; the answer keeps their running minimum. */
  previous?: { harmPValue: number; nonInferiorityPValue: number };
}

export const SEQUENTIAL_DEFAULTS = {
  alpha: 0.02,
  mixingSd: 0.25,
  margin: 0,
  better: 'higher',
  minSamples: 30,
} as const satisfies SequentialOptions;

export interface OneSidedSequential {
  /** ln Λ, the log mixture likelihood ratio of this look. */
  logLikelihoodRatio: number;
  /** ln(1/α): the test rejects once ln Λ reaches it. */
  threshold: number;
  /** Always-valid p-value: min(1, 1/Λ), running minimum over the looks passed in `previous`. */
  pValue: number;
  rejected: boolean;
}

export interface SequentialResult {
  test: 'msprt_normal_mixture';
  /**
   * `worse`: worse than stable by more than the margin (roll back); `not_worse`: not worse by more
   * than it (may pass). With a negative margin (a required gain): short of the gain, or reaching it.
   */
  decision: 'worse' | 'not_worse' | 'inconclusive';
  reason: string;
  nCandidate: number;
  nStable: number;
  /** mean_candidate − mean_stable in the metric's units. */
  difference: number;
  /** The difference oriented so that positive is better for the candidate. */
  improvement: number;
  standardError: number;
  /** H0: improvement ≥ −margin; rejected = significantly worse by more than the margin (or short of the required gain). */
  harm: OneSidedSequential;
  /** H0: improvement ≤ −margin; rejected = not worse by more than the margin (or reaching the required gain). */
  nonInferiority: OneSidedSequential;
  /** Always-valid two-sided (1 − α) confidence sequence for `improvement` at this look. */
  confidenceSequence: Interval;
  alpha: number;
  mixingSd: number;
  margin: number;
}

/**
 * One arm of any comparison whose estimate is about normal: n observations, their mean, and the
 * variance of one observation (so the mean's variance is variance / n). A composite estimate can
 * be given as such an arm too (its standard error² × n as `variance`).
 */
export interface SequentialArm {
  n: number;
  mean: number;
  variance: number;
}

/** Canary vs stable on a rate (success, helpful, error): successes out of n per arm. */
export function sequentialProportionTest(
  candidate: Proportion,
  stable: Proportion,
  options: SequentialOptions = {},
): SequentialResult {
  return sequentialCompare(proportionArm(candidate), proportionArm(stable), options);
}

/** Canary vs stable on a mean (rating, latency, a user metric) from rollup moments. */
export function sequentialMeanTest(
  candidate: Moments,
  stable: Moments,
  options: SequentialOptions = {},
): SequentialResult {
  return sequentialCompare(momentsArm(candidate), momentsArm(stable), options);
}

/** A rate as a sequential arm, its variance Laplace-smoothed: an arm that has seen only successes so far still has spread. */
export function proportionArm({ successes, n }: Proportion): SequentialArm {
  const smoothed = (successes + 1) / (n + 2);
  return { n, mean: n > 0 ? successes / n : 0, variance: smoothed * (1 - smoothed) };
}

/** Rollup moments as a sequential arm (sample variance). */
export function momentsArm(moments: Moments): SequentialArm {
  return moments.n > 0 ? summarize(moments) : { n: 0, mean: 0, variance: 0 };
}

/** Canary vs stable on any per-arm estimate (e.g. a weighted score of several metrics). */
export function sequentialCompare(
  candidate: SequentialArm,
  stable: SequentialArm,
  options: SequentialOptions = {},
): SequentialResult {
  const { alpha, mixingSd, margin, better, minSamples } = { ...SEQUENTIAL_DEFAULTS, ...options };
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(mixingSd > 0)) throw new RangeError(`mixingSd must be > 0, got ${mixingSd}`);
  if (!Number.isFinite(margin)) throw new RangeError(`margin must be a finite number, got ${margin}`);
  const difference = candidate.mean - stable.mean;
  const improvement = better === 'higher' ? difference : -difference;
  const base = {
    test: 'msprt_normal_mixture' as const,
    nCandidate: candidate.n,
    nStable: stable.n,
    difference,
    improvement,
    alpha,
    mixingSd,
    margin,
  };
  const threshold = Math.log(1 / alpha);
  const variance =
    candidate.n > 0 && stable.n > 0 ? candidate.variance / candidate.n + stable.variance / stable.n : Infinity;
  if (candidate.n < minSamples || stable.n < minSamples || !(variance > 0) || !Number.isFinite(variance)) {
    const none = (previous: number | undefined): OneSidedSequential => ({
      logLikelihoodRatio: 0,
      threshold,
      pValue: previous ?? 1,
      rejected: (previous ?? 1) <= alpha,
    });
    const harm = none(options.previous?.harmPValue);
    const nonInferiority = none(options.previous?.nonInferiorityPValue);
    return {
      ...base,
      ...decide(
        harm,
        nonInferiority,
        margin,
        `fewer than ${minSamples} samples in an arm (candidate ${candidate.n}, stable ${stable.n}) or no spread yet`,
      ),
      standardError: Math.sqrt(variance),
      harm,
      nonInferiority,
      confidenceSequence: { lower: -Infinity, upper: Infinity },
    };
  }
  const pooledVariance = (candidate.n * candidate.variance + stable.n * stable.variance) / (candidate.n + stable.n);
  const tau2 = mixingSd * mixingSd * pooledVariance;
  const information = 1 / variance;
  const distance = improvement + margin;
  const oneSided = (signedDistance: number, previous: number | undefined): OneSidedSequential => {
    const logLikelihoodRatio = halfNormalMixtureLogLR(signedDistance * information, information, tau2);
    const pValue = Math.min(previous ?? 1, Math.min(1, Math.exp(-logLikelihoodRatio)));
    return { logLikelihoodRatio, threshold, pValue, rejected: pValue <= alpha };
  };
  const harm = oneSided(-distance, options.previous?.harmPValue);
  const nonInferiority = oneSided(distance, options.previous?.nonInferiorityPValue);
  const radius = Math.sqrt(
    ((variance * (variance + tau2)) / tau2) * (2 * threshold + Math.log((variance + tau2) / variance)),
  );
  return {
    ...base,
    ...decide(harm, nonInferiority, margin, 'inconclusive: neither test reached its threshold'),
    standardError: Math.sqrt(variance),
    harm,
    nonInferiority,
    confidenceSequence: { lower: improvement - radius, upper: improvement + radius },
  };
}

function decide(
  harm: OneSidedSequential,
  nonInferiority: OneSidedSequential,
  margin: number,
  otherwise: string,
): Pick<SequentialResult, 'decision' | 'reason'> {
  const [short, reaches] =
    margin >= 0
      ? ['worse than stable by more than the margin', 'not worse than stable by more than the margin']
      : [`short of the required gain ${-margin}`, `reaching the required gain ${-margin}`];
  if (harm.rejected) return { decision: 'worse', reason: `${short} (always-valid p ${harm.pValue.toPrecision(3)})` };
  if (nonInferiority.rejected)
    return { decision: 'not_worse', reason: `${reaches} (always-valid p ${nonInferiority.pValue.toPrecision(3)})` };
  return { decision: 'inconclusive', reason: otherwise };
}

/** ln of ∫ exp(θS − θ²I/2) dπ(θ) for π the half-normal N(0, τ²) on θ > 0. */
function halfNormalMixtureLogLR(score: number, information: number, tau2: number): number {
  const a = information + 1 / tau2;
  const x = score / Math.sqrt(a);
  return Math.LN2 - 0.5 * Math.log1p(tau2 * information) + (score * score) / (2 * a) + logNormalCdf(x);
}

function logNormalCdf(x: number): number {
  if (x > -30) return Math.log(normalCdf(x));
  // Mills-ratio asymptote where the CDF underflows.
  return -0.5 * x * x - Math.log(-x) - 0.5 * Math.log(2 * Math.PI);
}
