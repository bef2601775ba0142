import { hedgesG, oneSampleTTest, summarize, welchTTest } from './means';
import { benjaminiHochberg, holm } from './multiple-testing';
import { cohensH, oneProportionZTest, twoProportionZTest, wilsonInterval } from './proportions';
import { normalSf } from './normal';
import type { Moments } from './types';

// Reference values from scipy 1.17 (binomtest(...).proportion_ci('wilson'), ttest_ind(equal_var=False),
// ttest_1samp, chi2_contingency(correction=False), false_discovery_control) and R's p.adjust.
const close = (actual: number, expected: number, tolerance = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance);

const moments = (values: number[]): Moments => ({
  n: values.length,
  sum: values.reduce((a, b) => a + b, 0),
  sumSq: values.reduce((a, b) => a + b * b, 0),
});
const A = [3.1, 4.2, 5.0, 4.4, 3.9, 4.8, 5.1, 3.3];
const B = [2.9, 3.0, 3.8, 2.5, 3.6, 3.1, 2.2, 3.9, 3.0, 2.8];

describe('Wilson interval', () => {
  it.each([
    [8, 10, 0.95, 0.4901624715366418, 0.9433178485456248],
    [0, 20, 0.95, 0, 0.16112515805281935],
    [95, 100, 0.95, 0.8882495307680809, 0.978456320845632],
    [450, 1000, 0.95, 0.41941538407429674, 0.48096729177425873],
    [8, 10, 0.99, 0.4008186965216716, 0.9598688474953836],
  ])('%d of %d at %d', (successes, n, confidence, lower, upper) => {
    const interval = wilsonInterval({ successes, n }, confidence);
    close(interval.lower, lower, 1e-12);
    close(interval.upper, upper, 1e-12);
  });

  it('refuses an empty sample and a confidence outside (0, 1)', () => {
    expect(() => wilsonInterval({ successes: 0, n: 0 })).toThrow(RangeError);
    expect(() => wilsonInterval({ successes: 1, n: 2 }, 1)).toThrow(RangeError);
  });
});

describe('two-proportion z-test', () => {
  const a = { successes: 45, n: 100 };
  const b = { successes: 30, n: 100 };

  it('matches the uncorrected chi-square test (z² = X² = 4.8)', () => {
    const result = twoProportionZTest(a, b);
    close(result.statistic, 2.1908902300206647, 1e-12);
    close(result.statistic ** 2, 4.8, 1e-12);
    close(result.pValue, 0.02845973691631055, 1e-12);
    close(result.estimate, 0.15, 1e-15);
    // Wald interval: 0.15 ± 1.959964·√(.45·.55/100 + .3·.7/100)
    const se = Math.sqrt((0.45 * 0.55) / 100 + (0.3 * 0.7) / 100);
    close(result.ci.lower, 0.15 - 1.959963984540054 * se, 1e-12);
    close(result.ci.upper, 0.15 + 1.959963984540054 * se, 1e-12);
    close(result.effectSize, cohensH(0.45, 0.3), 1e-15);
    close(cohensH(0.45, 0.3), 0.3113, 1e-4);
  });

  it('answers one-sided alternatives in the right direction', () => {
    close(twoProportionZTest(a, b, { alternative: 'greater' }).pValue, 0.014229868458155276, 1e-12);
    close(twoProportionZTest(a, b, { alternative: 'less' }).pValue, 0.9857701315418447, 1e-12);
    close(twoProportionZTest(b, a, { alternative: 'less' }).pValue, 0.014229868458155276, 1e-12);
  });

  it('gives no evidence when nothing varies, and refuses empty samples', () => {
    const result = twoProportionZTest({ successes: 10, n: 10 }, { successes: 20, n: 20 });
    expect(result.statistic).toBe(0);
    expect(result.pValue).toBe(1);
    expect(() => twoProportionZTest({ successes: 0, n: 0 }, b)).toThrow(RangeError);
  });

  it('tests non-inferiority against a margin on the unpooled standard error', () => {
    // 0.78 vs 0.80 with a 5-point margin: z = (−0.02 + 0.05) / √(.78·.22/2000 + .8·.2/2000).
    const result = twoProportionZTest(
      { successes: 1560, n: 2000 },
      { successes: 1600, n: 2000 },
      { alternative: 'greater', nullDifference: -0.05 },
    );
    const se = Math.sqrt((0.78 * 0.22) / 2000 + (0.8 * 0.2) / 2000);
    close(result.statistic, 0.03 / se, 1e-9);
    close(result.pValue, normalSf(0.03 / se), 1e-12);
    expect(result.pValue).toBeLessThan(0.01);
  });

  it('one-proportion z-test against p0 with the Wilson interval', () => {
    const result = oneProportionZTest({ successes: 260, n: 1000 }, 0.2, { alternative: 'greater' });
    close(result.statistic, 0.06 / Math.sqrt((0.2 * 0.8) / 1000), 1e-12);
    expect(result.pValue).toBeLessThan(1e-5);
    expect(result.ci).toEqual(wilsonInterval({ successes: 260, n: 1000 }));
    expect(() => oneProportionZTest({ successes: 1, n: 2 }, 0)).toThrow(RangeError);
  });
});

describe('t-tests from count, sum and sum of squares', () => {
  it('summarize gives the sample mean and variance', () => {
    const s = summarize(moments(A));
    close(s.mean, 4.225, 1e-12);
    close(s.variance, A.reduce((acc, x) => acc + (x - 4.225) ** 2, 0) / 7, 1e-12);
    expect(summarize({ n: 1, sum: 3, sumSq: 9 }).variance).toBe(0);
  });

  it("Welch's test equals scipy's ttest_ind(equal_var=False)", () => {
    const result = welchTTest(moments(A), moments(B));
    close(result.statistic, 3.6103430638732568, 1e-9);
    close(result.df, 12.454696229115973, 1e-9);
    close(result.pValue, 0.003379995009889116, 1e-11);
    close(result.ci.lower, 0.45678932716651477, 1e-9);
    close(result.ci.upper, 1.8332106728334843, 1e-9);
    close(welchTTest(moments(A), moments(B), { alternative: 'greater' }).pValue, 0.001689997504944558, 1e-11);
    close(result.effectSize, 1.6913469516600386, 1e-9);
    close(hedgesG(moments(A), moments(B)), 1.6913469516600386, 1e-9);
  });

  it('one-sample test equals ttest_1samp', () => {
    const result = oneSampleTTest(moments(A), 3.0, { alternative: 'greater' });
    close(result.statistic, 4.609532255079626, 1e-9);
    close(result.pValue, 0.0012281651796717135, 1e-11);
    close(result.estimate, 4.225, 1e-12);
    const two = oneSampleTTest(moments(A), 3.0);
    close(two.ci.lower, 3.596592485331004, 1e-9);
    close(two.ci.upper, 4.853407514668995, 1e-9);
  });

  it('without spread, a difference is certain and no difference is no evidence', () => {
    const fives = { n: 20, sum: 100, sumSq: 500 };
    const fours = { n: 20, sum: 80, sumSq: 320 };
    expect(welchTTest(fives, fours, { alternative: 'greater' }).pValue).toBe(0);
    expect(welchTTest(fives, fives).pValue).toBe(1);
  });
});

describe('multiple testing', () => {
  const p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5];

  it('Benjamini–Hochberg equals p.adjust(method = "BH")', () => {
    benjaminiHochberg(p).forEach((q, i) => close(q, [0.03, 0.06, 0.06, 0.03, 0.24, 0.5][i]!, 1e-15));
    expect(benjaminiHochberg([])).toEqual([]);
  });

  it('Holm equals p.adjust(method = "holm")', () => {
    holm(p).forEach((q, i) => close(q, [0.05, 0.12, 0.12, 0.03, 0.4, 0.5][i]!, 1e-15));
  });
});
