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

/** P(Z ≤ −x) for x ≥ 0. */
function normalTail(x: number): number {
  if (x > 38.5) return 0;
  const e = Math.exp(-0.5 * x * x);
  if (x < 3) {
    let num = 3.52624965998911e-2 * x + 0.700383064443688;
    num = num * x + 6.37396220353165;
    num = num * x + 33.912866078383;
    num = num * x + 112.079291497871;
    num = num * x + 221.213596169931;
    num = num * x + 220.206867912376;
    let den = 8.83883476483184e-2 * x + 1.75566716318264;
    den = den * x + 16.064177579207;
    den = den * x + 86.7807322029461;
    den = den * x + 296.564248779674;
    den = den * x + 637.333633378831;
    den = den * x + 793.826512519948;
    den = den * x + 440.413735824752;
    return (e * num) / den;
  }
  // Laplace's continued fraction for the Mills ratio, evaluated bottom-up: 60 terms reach
  // double precision from x = 3 on.
  let cf = x;
  for (let k = 60; k > 0; k--) cf = x + k / cf;
  return e / cf / SQRT_2PI;
}

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
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
    x =
      ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
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
  return (
    (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
    ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1)
  );
}
