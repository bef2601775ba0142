import { normalCdf, normalSf } from './normal';
import type { Alternative } from './types';

/** p-value of a statistic whose null distribution has this CDF and upper tail (symmetric around 0). */
export function pValueFor(
  statistic: number,
  alternative: Alternative,
  cdf: (x: number) => number,
  sf: (x: number) => number,
): number {
  if (Number.isNaN(statistic)) return 1;
  switch (alternative) {
    case 'less':
      return cdf(statistic);
    case 'greater':
      return sf(statistic);
    case 'two-sided':
      return Math.min(1, 2 * sf(Math.abs(statistic)));
  }
}

export const normalPValue = (z: number, alternative: Alternative): number =>
  pValueFor(z, alternative, normalCdf, normalSf);

export function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

export function assertCount(name: string, n: number): void {
  if (!(Number.isFinite(n) && n > 0)) throw new RangeError(`${name} must be a positive count, got ${n}`);
}
