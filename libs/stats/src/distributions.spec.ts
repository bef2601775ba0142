import { normalCdf, normalQuantile, normalSf } from './normal';
import { binomialShareTest } from './binomial';
import { poissonSf } from './poisson';
import { logGamma, regularizedBeta, regularizedGammaP } from './special';
import { studentTCdf, studentTQuantile } from './student-t';

// Reference values from scipy 1.17 (stats.norm, stats.t, special.gammaln/betainc/gammainc, stats.poisson).
const close = (actual: number, expected: number, relative = 1e-10) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(Math.abs(expected), 1e-300));

describe('normal distribution', () => {
  it.each([
    [-8, 6.22096057427174e-16],
    [-5, 2.866515718791933e-7],
    [-1.96, 0.024997895148220435],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1.96, 0.9750021048517795],
    [3, 0.9986501019683699],
    [6, 0.9999999990134123],
  ])('Φ(%d) = %d', (z, p) => close(normalCdf(z), p, 1e-12));

  it('keeps relative precision in the far tails', () => {
    close(normalSf(8), 6.22096057427174e-16, 1e-12);
    close(normalSf(10), 7.61985302416047e-24, 1e-12);
    close(normalCdf(-20), 2.7536241186061556e-89, 1e-10);
    expect(normalCdf(-40)).toBe(0);
  });

  it.each([
    [1e-12, -7.034483825301131],
    [1e-6, -4.753424308822899],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545],
    [0.3, -0.5244005127080409],
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.999999, 4.753424308817087],
  ])('Φ⁻¹(%d) = %d', (p, z) => close(normalQuantile(p), z, 1e-12));

  it('maps the ends and invalid input', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('is the inverse of the CDF across the range', () => {
    for (let p = 0.0005; p < 1; p += 0.0131) close(normalCdf(normalQuantile(p)), p, 1e-13);
  });
});

describe('special functions', () => {
  it.each([
    [0.5, 0.5723649429247],
    [1, 0],
    [3.7, 1.428072326665388],
    [10, 12.801827480081469],
    [100.5, 361.43554046777757],
  ])('ln Γ(%d) = %d', (x, value) => expect(Math.abs(logGamma(x) - value)).toBeLessThan(1e-12 * Math.max(1, value)));

  it.each([
    [2, 3, 0.4, 0.5248],
    [0.5, 0.5, 0.1, 0.20483276469913345],
    [10, 20, 0.3, 0.3640040810719437],
    [5, 0.5, 0.99, 0.7571581091015623],
  ])('I_x(%d, %d) at %d = %d', (a, b, x, value) => close(regularizedBeta(x, a, b), value, 1e-11));

  it.each([
    [1, 1, 0.6321205588285577],
    [3, 2.5, 0.45618688411667035],
    [10, 20, 0.9950045876916924],
    [0.5, 0.1, 0.34527915398142317],
    [50, 40, 0.07033506665939494],
  ])('P(%d, %d) = %d', (a, x, value) => close(regularizedGammaP(a, x), value, 1e-11));

  it.each([
    [6, 1, 0.000594184817581693],
    [12, 5, 0.0054530919130093445],
    [1, 0.5, 0.3934693402873665],
    [30, 10, 2.509951201527959e-7],
  ])('Poisson P(X ≥ %d | mean %d) = %d', (k, mean, value) => close(poissonSf(k, mean), value, 1e-10));

  it.each([
    [6, 6, 0.05, 16.079776785874934],
    [6, 6, 0.25, 6.659477053096841],
    [6, 6, 0.5, 2.898276937403278],
    [151, 275, 0.5, -0.6227793393397629],
    [20, 100, 0.0909, 3.333202101732636],
    [3, 10, 0.3, -1.282956090842832],
    [0, 5, 0.2, -1.791759469228055],
  ])('binomial share mixture: ln Λ(%d of %d above share %d) = %d (numerical integration)', (k, m, w, logLambda) => {
    const result = binomialShareTest(k, m, w);
    close(result.logLikelihoodRatio, logLambda, 1e-8);
    close(result.pValue, Math.min(1, Math.exp(-logLambda)), 1e-12);
  });

  it('binomial share mixture edge cases', () => {
    expect(binomialShareTest(0, 0, 0.3).pValue).toBe(1);
    expect(binomialShareTest(2, 5, 1).pValue).toBe(1);
    expect(binomialShareTest(2, 5, 0).pValue).toBe(0);
    expect(() => binomialShareTest(6, 5, 0.2)).toThrow(RangeError);
  });

  it('Poisson edge cases', () => {
    expect(poissonSf(0, 3)).toBe(1);
    expect(poissonSf(2, 0)).toBe(0);
    expect(() => poissonSf(1, -1)).toThrow(RangeError);
  });
});

describe("Student's t distribution", () => {
  it.each([
    [2.0, 10, 0.9633059826146299],
    [-3.5, 3, 0.019740518809641387],
    [1.5, 2.5, 0.8760817734568519],
    [0.2, 1, 0.562832958189001],
    [-12, 5, 3.544746258580761e-5],
    [2, 200, 0.9765734069064645],
  ])('P(T ≤ %d | df %d) = %d', (t, df, p) => close(studentTCdf(t, df), p, 1e-10));

  it.each([
    [0.975, 1, 12.706204736174694],
    [0.975, 2, 4.302652729749462],
    [0.975, 3, 3.1824463052837078],
    [0.975, 10, 2.228138851986274],
    [0.975, 30, 2.0422724563012378],
    [0.995, 4.3, 4.3919667076840545],
    [1e-6, 3, -103.29946778041935],
    [0.9, 1000, 1.2823987214609247],
    [0.05, 7.5, -1.8757474792112883],
  ])('t quantile %d with df %d = %d', (p, df, t) => close(studentTQuantile(p, df), t, 1e-9));

  it('approaches the normal for huge df and rejects invalid input', () => {
    close(studentTQuantile(0.975, 1e9), 1.959963984540054, 1e-12);
    expect(studentTQuantile(0.5, 4)).toBe(0);
    expect(studentTCdf(1, 0)).toBeNaN();
    expect(studentTQuantile(2, 3)).toBeNaN();
  });
});
