import { insightsSchema } from './insights.schema';
import { successVerdict } from './success-verdict';

const definition = insightsSchema.parse({}).success;

describe('successVerdict', () => {
  it.each([
    ['thumbs up', { explicit: { helpful: true } }, 'positive'],
    ['thumbs down', { explicit: { helpful: false } }, 'negative'],
    ['rating 4', { explicit: { rating: 4 } }, 'positive'],
    ['rating 3.5', { explicit: { rating: 3.5 } }, 'negative'],
    ['thumbs before the rating', { explicit: { helpful: true, rating: 2 } }, 'positive'],
    ['a complaint whatever else', { explicit: { helpful: true, rating: 5, complaint: 'too long' } }, 'negative'],
    ['a correction', { explicit: { rating: 5, correction: 'the right answer' } }, 'negative'],
    ['a blank complaint is none', { explicit: { rating: 5, complaint: '  ' } }, 'positive'],
    ['implicit success', { implicit: { success: true } }, 'positive'],
    ['implicit failure', { implicit: { success: false } }, 'negative'],
    ['explicit before implicit', { explicit: { rating: 1 }, implicit: { success: true } }, 'negative'],
    ['no signal', { implicit: { response_time_ms: 20 } }, null],
    ['a success rate alone is no verdict', { implicit: { success_rate: 0.9 } }, null],
  ] as const)('%s', (_, event, expected) => {
    expect(successVerdict(event, definition)).toBe(expected);
  });

  it('follows the policy: rating threshold, complaints, implicit success', () => {
    const strict = { rating_at_least: 5, complaint_is_failure: false, use_implicit_success: false };
    expect(successVerdict({ explicit: { rating: 4 } }, strict)).toBe('negative');
    expect(successVerdict({ explicit: { rating: 5, complaint: 'x' } }, strict)).toBe('positive');
    expect(successVerdict({ implicit: { success: true } }, strict)).toBeNull();
  });
});
