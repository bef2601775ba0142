import { regularizedGammaP } from './special';

/** P(X ≥ k) for X ~ Poisson(mean): how surprising k events are when `mean` were expected. */
export function poissonSf(k: number, mean: number): number {
  if (!(mean >= 0)) throw new RangeError(`mean must be ≥ 0, got ${mean}`);
  if (k <= 0) return 1;
  if (mean === 0) return 0;
  // P(X ≥ k) = P(k, mean), the regularized lower incomplete gamma function.
  return regularizedGammaP(Math.ceil(k), mean);
}
