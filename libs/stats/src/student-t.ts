import { normalCdf, normalQuantile } from './normal';
import { logGamma, regularizedBeta } from './special';

/** Beyond this many degrees of freedom the t distribution is the normal one to double precision. */
const NORMAL_DF = 1e7;

/** P(T ≤ t) for Student's t with `df` (possibly fractional, as Welch's) degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (df > NORMAL_DF) return normalCdf(t);
  const lowerTail = lowerTailOf(-Math.abs(t), df);
  return t > 0 ? 1 - lowerTail : lowerTail;
}

/** P(T > t), accurate in the far upper tail. */
export function studentTSf(t: number, df: number): number {
  return studentTCdf(-t, df);
}

export function studentTPdf(t: number, df: number): number {
  return Math.exp(
    logGamma((df + 1) / 2) -
      logGamma(df / 2) -
      0.5 * Math.log(df * Math.PI) -
      ((df + 1) / 2) * Math.log1p((t * t) / df),
  );
}

/** P(T ≤ t) for t ≤ 0. */
function lowerTailOf(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t with P(T ≤ t) = p. */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df > NORMAL_DF) return normalQuantile(p);
  // Solve in the lower tail (q ≤ ½) where the CDF keeps its relative precision, then mirror.
  const q = Math.min(p, 1 - p);
  const t = -lowerTailQuantile(q, df);
  return p < 0.5 ? t : -t;
}

/** |t| with P(T ≤ −|t|) = q, q < ½. */
function lowerTailQuantile(q: number, df: number): number {
  if (df === 1) return Math.tan(Math.PI * (0.5 - q));
  if (df === 2) return Math.sqrt(2 / (4 * q * (1 - q)) - 2);
  // Start from the Cornish-Fisher expansion around the normal quantile, then Newton steps on
  // log F (well behaved in heavy tails), kept inside a bracket that bisection falls back on.
  const z = -normalQuantile(q);
  const z2 = z * z;
  let x =
    z +
    (z * (z2 + 1)) / (4 * df) +
    (z * ((5 * z2 + 16) * z2 + 3)) / (96 * df * df) +
    (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / (384 * df ** 3);
  let lo = 0;
  let hi = Infinity;
  for (let i = 0; i < 100; i++) {
    const f = lowerTailOf(-x, df);
    if (f > q) lo = x;
    else hi = x;
    const step = (Math.log(f) - Math.log(q)) / (studentTPdf(x, df) / f);
    let next = x + step;
    if (!(next > lo && next < hi)) next = Number.isFinite(hi) ? (lo + hi) / 2 : 2 * x + 1;
    if (Math.abs(next - x) <= 1e-14 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}
