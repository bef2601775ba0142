import { createRandom, type Random } from '@metaloop/stats';

/**
 * Seeds of independent random streams: a stream is named by integers (the run's seed, an agent's
 * index, a session's index…), so what one session draws never depends on how many others ran
 * before it or in which order the mesh answered them.
 */
export function streamSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x01000193);
    h = fmix32(h ^ Math.floor(part / 0x100000000));
  }
  return fmix32(h);
}

export function streamRandom(...parts: number[]): Random {
  return createRandom(streamSeed(...parts));
}

/** murmur3's finalizer: every input bit moves every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Uniform in [min, max). */
export const uniform = (random: Random, min: number, max: number) => min + (max - min) * random.next();

/** Log-normal with the given median and σ of its logarithm. */
export const logNormal = (random: Random, median: number, sigma: number) => median * Math.exp(sigma * random.normal());

/** The index drawn with probability proportional to its weight. */
export function pickWeighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = random.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** Fisher–Yates, in place; returns the array. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * `count` items spread over the classes in proportion to their shares (largest remainder, ties
 * to the earlier class), so 18 agents at 40/30/30 % are exactly 7/6/5 every time.
 */
export function apportion<K extends string>(count: number, shares: Readonly<Record<K, number>>): Record<K, number> {
  const keys = Object.keys(shares) as K[];
  const total = keys.reduce((a, k) => a + shares[k], 0);
  const exact = keys.map((k) => (count * shares[k]) / (total || 1));
  const result = Object.fromEntries(keys.map((k, i) => [k, Math.floor(exact[i]!)])) as Record<K, number>;
  let left = count - keys.reduce((a, k) => a + result[k], 0);
  const byRemainder = keys
    .map((k, i) => ({ k, r: exact[i]! - Math.floor(exact[i]!), i }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { k } of byRemainder) {
    if (left <= 0) break;
    result[k]++;
    left--;
  }
  return result;
}
