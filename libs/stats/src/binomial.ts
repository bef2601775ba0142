import { logGamma, regularizedBeta } from './special';

export interface ShareTest {
  /** ln Λ of "the share is above w" against "it is w". */
  logLikelihoodRatio: number;
  /** min(1, 1/Λ): valid however often it is looked at while the counts grow (Ville's inequality). */
  pValue: number;
}

/**
 * Always-valid one-sided test that k of m events fell on a side whose share under the null is w
 * more often than w allows: the likelihood ratio of Binomial(m, p) mixed uniformly over p in
 * (w, 1] against p = w, Λ = ∫_w^1 p^k (1 − p)^(m − k) dp / ((1 − w) · w^k (1 − w)^(m − k)). With
 * the events arriving one by one, Λ is a martingale under the null, so P(Λ ever ≥ 1/α) ≤ α. Six of
 * six at w = 0.05 gives Λ ≈ 10⁷; at w = 0.25, Λ ≈ 780; at w = 0.5, Λ ≈ 18.
 */
export function binomialShareTest(k: number, m: number, w: number): ShareTest {
  if (!(Number.isInteger(m) && m >= 0 && Number.isInteger(k) && k >= 0 && k <= m))
    throw new RangeError(`need 0 ≤ k ≤ m counts, got k ${k}, m ${m}`);
  if (!(w >= 0 && w <= 1)) throw new RangeError(`w must be in [0, 1], got ${w}`);
  if (w >= 1 || m === 0) return { logLikelihoodRatio: 0, pValue: 1 };
  if (w <= 0)
    return k > 0 ? { logLikelihoodRatio: Infinity, pValue: 0 } : { logLikelihoodRatio: -Math.log(m + 1), pValue: 1 };
  const logBeta = logGamma(k + 1) + logGamma(m - k + 1) - logGamma(m + 2);
  // ∫_w^1 p^k (1 − p)^(m − k) dp = B(k + 1, m − k + 1) · I_{1 − w}(m − k + 1, k + 1).
  const tail = regularizedBeta(1 - w, m - k + 1, k + 1);
  const logLikelihoodRatio = logBeta + Math.log(tail) - Math.log1p(-w) - k * Math.log(w) - (m - k) * Math.log1p(-w);
  return { logLikelihoodRatio, pValue: Math.min(1, Math.exp(-logLikelihoodRatio)) };
}
