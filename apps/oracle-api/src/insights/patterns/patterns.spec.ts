import { buildPatterns } from './patterns';
import type { DimensionSums } from './group-stats';

const row = (
  dim: string,
  value: string,
  positive: number,
  negative: number,
  ratings: number[] = [],
): DimensionSums => ({
  dim,
  value,
  count: positive + negative,
  positive,
  negative,
  rating_count: ratings.length,
  rating_sum: ratings.reduce((a, b) => a + b, 0),
  rating_sum_sq: ratings.reduce((a, b) => a + b * b, 0),
});

// 200 samples: "code" succeeds 90 of 100, "essay" 30 of 100; framework cot 80/90, plain 40/110.
const rows: DimensionSums[] = [
  row('*', '*', 120, 80, [5, 4, 2]),
  row('tag', 'code', 90, 10, [5, 4]),
  row('tag', 'essay', 30, 70, [2]),
  row('tag', 'rare', 2, 1),
  row('context.framework', 'cot', 80, 10),
  row('context.framework', 'plain', 40, 70),
  row('model', 'gpt-4o', 120, 80),
  row('prompt_version', 'v1', 120, 80),
];
const options = {
  window: { from: '2026-11-30T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z' },
  agentId: null,
  contextKeys: ['framework'],
  minSamples: 10,
  alpha: 0.05,
};

describe('buildPatterns', () => {
  const patterns = buildPatterns(rows, options);

  it('counts samples, positives and negatives, the success rate and the mean rating', () => {
    expect(patterns).toMatchObject({ events: 200, samples: 200, positive: 120, negative: 80, success_rate: 0.6 });
    expect(patterns.mean_rating).toBeCloseTo(11 / 3);
  });

  it('tests each group against the rest of the window, significance needing min_samples', () => {
    const [code, essay, rare] = patterns.by_tag;
    expect(code).toMatchObject({ value: 'code', samples: 100, success_rate: 0.9, mean_rating: 4.5, significant: true });
    expect(code!.p_value).toBeLessThan(1e-6);
    expect(essay).toMatchObject({ value: 'essay', success_rate: 0.3, significant: true });
    expect(rare).toMatchObject({ value: 'rare', samples: 3, significant: false });
    expect(patterns.by_context['framework']!.map((g) => [g.value, g.significant])).toEqual([
      ['plain', true],
      ['cot', true],
    ]);
    // One model, one prompt version: nothing to compare them with.
    expect(patterns.by_model).toEqual([
      expect.objectContaining({ value: 'gpt-4o', p_value: null, significant: false }),
    ]);
  });

  it('finds the features successes and failures share (BH-adjusted)', () => {
    expect(patterns.success_features.map((f) => f.feature)).toEqual(
      expect.arrayContaining(['tag:code', 'context.framework=cot']),
    );
    expect(patterns.failure_features.map((f) => f.feature)).toEqual(
      expect.arrayContaining(['tag:essay', 'context.framework=plain']),
    );
    expect(patterns.failure_features.map((f) => f.feature)).not.toContain('tag:rare');
    const essay = patterns.failure_features.find((f) => f.feature === 'tag:essay')!;
    expect(essay.share_of_failures).toBeCloseTo(70 / 80);
    expect(essay.share_of_successes).toBeCloseTo(30 / 120);
  });

  it('recommends fixing the weakest group first, then using the strongest', () => {
    expect(patterns.recommendations[0]).toMatch(/^Improve tag "essay": 30.0% success vs 90.0% elsewhere/);
    expect(patterns.recommendations.some((r) => r.startsWith('Use more of tag "code"'))).toBe(true);
    expect(patterns.recommendations.some((r) => r.startsWith('Failures often carry tag:essay'))).toBe(true);
  });

  it('says when nothing differs significantly', () => {
    const flat = buildPatterns([row('*', '*', 10, 10), row('tag', 'a', 5, 5), row('tag', 'b', 5, 5)], options);
    expect(flat.success_features).toEqual([]);
    expect(flat.recommendations).toEqual([
      expect.stringMatching(/^No tag, model, prompt version or context value differs/),
    ]);
  });
});
