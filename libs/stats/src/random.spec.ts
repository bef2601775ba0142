import { createRandom } from './random';

describe('seeded random generator', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const take = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  it('draws uniforms in [0, 1), normals and binomials with the right moments', () => {
    const random = createRandom(1);
    const n = 200_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    let normalSum = 0;
    let normalSumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = random.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
      const z = random.normal();
      normalSum += z;
      normalSumSq += z * z;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(normalSum / n)).toBeLessThan(0.01);
    expect(Math.abs(normalSumSq / n - 1)).toBeLessThan(0.02);
    const draws = Array.from({ length: 2_000 }, () => random.binomial(50, 0.3));
    expect(Math.abs(draws.reduce((a, b) => a + b, 0) / draws.length - 15)).toBeLessThan(0.3);
  });
});
