/*
 * The standard normal distribution. Each tail is computed directly, so small p-values keep
 * their relative precision: Hart's algorithm 5666 as given by West (2005, "Better
 * approximations to cumulative normal functions") below |z| = 3, Laplace's continued
 * fraction beyond (relative error about 1e-14 everywhere). The quantile is Acklam's rational
 * approximation refined by one Halley step against that CDF.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** P(Z ≤ z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const lowerTail = normalTail(Math.abs(z));
  return z > 0 ? 1 - lowerTail : lowerTail;
}

/** P(Z > z), accurate for large z (where 1 − normalCdf(z) would round to 0). */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

/** Density of the standard normal. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI;
}

// Hart 5666, highest power first.
const HART_NUMERATOR = [
  3.52624965998911e-2, 0.700383064443688, 6.37396220353165, 33.912866078383, 112.079291497871, 221.213596169931,
  220.206867912376,
];
const HART_DENOMINATOR = [
  8.83883476483184e-2, 1.75566716318264, 16.064177579207, 86.7807322029461, 296.564248779674, 637.333633378831,
  793.826512519948, 440.413735824752,
];

/** P(Z ≤ −x) for x ≥ 0. */
function normalTail(x: number): number {
  if (x > 38.5) return 0;
  const e = Math.exp(-0.5 * x * x);
  if (x < 3) return (e * horner(HART_NUMERATOR, x)) / horner(HART_DENOMINATOR, x);
  // Laplace's continued fraction for the Mills ratio, evaluated bottom-up: 60 terms reach
  // double precision from x = 3 on.
  let cf = x;
  for (let k = 60; k > 0; k--) cf = x + k / cf;
  return e / cf / SQRT_2PI;
}

// Acklam, highest power first.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1, 1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];
const P_LOW = 0.02425;

/** The z with P(Z ≤ z) = p; −∞ at 0 and +∞ at 1. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = tailRational(q);
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = (horner(A, r) * q) / horner(B, r);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -tailRational(q);
  }
  // One Halley step; in the upper tail refine against the upper tail so precision is not lost.
  const e = p > 0.5 ? normalSf(x) - (1 - p) : normalCdf(x) - p;
  const u = (p > 0.5 ? -e : e) * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + (x * u) / 2);
}

function tailRational(q: number): number {
  return horner(C, q) / horner(D, q);
}

/** The polynomial with these coefficients (highest power first) at x. */
function horner(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (const c of coefficients) value = value * x + c;
  return value;
}
