import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from './backoff';

describe('backoffDelay', () => {
  const options = { baseMs: 100, maxMs: 5_000 };

  it.each([
    // attempt, random, retry-after, expected
    [1, 0, undefined, 50],
    [1, 1, undefined, 100],
    [2, 0, undefined, 100],
    [3, 1, undefined, 400],
    [4, 0.5, undefined, 600],
    [10, 1, undefined, 5_000], // capped
    [10, 0, undefined, 2_500], // half of the cap at least
    [1, 0, 3_000, 3_000], // Retry-After beats a shorter backoff
    [8, 1, 1_000, 5_000], // a longer backoff beats Retry-After
    [1, 0, 3_600_000, MAX_RETRY_AFTER_MS], // an absurd Retry-After is capped
  ])('attempt %d, random %d, Retry-After %s ms → %d ms', (attempt, random, retryAfter, expected) => {
    expect(backoffDelay(attempt, options, retryAfter, () => random)).toBe(expected);
  });

  it('spreads retries of clients that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, options)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(800);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-07T10:00:00Z');
  it.each([
    ['3', 3_000],
    ['0', 0],
    ['1.5', 1_500],
    ['Mon, 07 Dec 2026 10:00:05 GMT', 5_000],
    ['Mon, 07 Dec 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%p → %p ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
