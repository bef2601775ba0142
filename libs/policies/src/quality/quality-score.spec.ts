import { qualitySchema } from './learning.schema';
import { qualityScore } from './quality-score';

const weights = qualitySchema.parse({});
const metrics = new Map([
  ['resolved', { type: 'boolean' as const, optimize: 'max' as const }],
  ['escalated', { type: 'boolean' as const, optimize: 'min' as const }],
  ['latency', { type: 'float' as const, optimize: 'min' as const }],
]);

describe('qualityScore', () => {
  it.each([
    ['a 5 rating alone', { explicit: { rating: 5 } }, 1],
    ['a 1 rating alone', { explicit: { rating: 1 } }, 0],
    ['a 4 rating alone', { explicit: { rating: 4 } }, 0.75],
    ['rating 3 and helpful', { explicit: { rating: 3, helpful: true } }, (0.5 * 0.4 + 0.3) / 0.7],
    ['a success rate', { implicit: { success_rate: 0.6 } }, 0.6],
    ['success beats the rate when both are sent', { implicit: { success: false, success_rate: 0.9 } }, 0],
    ['a max metric true and a min metric true', { metrics: { resolved: true, escalated: true } }, 0.5],
    ['a complaint, whatever else', { explicit: { rating: 5, complaint: 'rude' } }, 0],
    ['a correction, whatever else', { implicit: { success: true }, explicit: { correction: 'use X' } }, 0],
  ])('%s', (_, event, expected) => {
    expect(qualityScore(event, weights, metrics)).toBeCloseTo(expected, 10);
  });

  it('is null without a signal: no rating, helpful, success or registered boolean metric', () => {
    expect(qualityScore({}, weights, metrics)).toBeNull();
    expect(
      qualityScore({ implicit: { response_time_ms: 10 }, metrics: { latency: 3, unknown: true } }, weights, metrics),
    ).toBeNull();
  });

  it('follows the policy weights: a signal weighted 0 does not count', () => {
    const ratingOnly = qualitySchema.parse({ helpful_weight: 0, success_weight: 0, metrics_weight: 0 });
    expect(qualityScore({ explicit: { rating: 5, helpful: false } }, ratingOnly)).toBe(1);
  });
});
