import { regularizedBeta } from './special';

/**
 * P(X ≥ k) for X ~ Binomial(n, p). Given two Poisson counts, the first's share of their sum is
 * binomial under equal rates: the exact conditional test of one rate against another.
 */
export function binomialSf(k: number, n: number, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`n must be a count, got ${n}`);
  if (k <= 0) return 1;
  if (k > n) return 0;
  // P(X ≥ k) = I_p(k, n − k + 1), the regularized incomplete beta function.
  return regularizedBeta(p, k, n - k + 1);
}
