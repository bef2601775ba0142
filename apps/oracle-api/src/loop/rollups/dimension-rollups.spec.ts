import { insightsSchema } from '@metaloop/policies';
import { dimensionRollups, eventDimensions } from './dimension-rollups';

const success = insightsSchema.parse({}).success;
const at = (iso: string) => ({ agent_id: 'a', session_id: 's', received_at: iso });

describe('eventDimensions', () => {
  it('is every event, each distinct tag, and bounded top-level string context values', () => {
    expect(
      eventDimensions({
        tags: ['code', 'code', 'long'],
        context: {
          framework: 'cot',
          model: 'gpt',
          confidence: 0.8,
          nested: { a: 'b' },
          empty: '',
          huge: 'x'.repeat(65),
          'bad key': 'v',
        },
      }),
    ).toEqual([
      ['*', '*'],
      ['tag', 'code'],
      ['tag', 'long'],
      ['context.framework', 'cot'],
      ['context.model', 'gpt'],
    ]);
  });

  it('takes at most 8 context keys per event, in key order', () => {
    const context = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
    const dims = eventDimensions({ context }).map(([dim]) => dim);
    expect(dims).toEqual(['*', ...Array.from({ length: 8 }, (_, i) => `context.k0${i}`)]);
  });
});

describe('dimensionRollups', () => {
  it('sums per agent, revision, hour and dimension with the success verdicts, sorted by key', () => {
    const rows = dimensionRollups(
      [
        { ...at('2026-12-07T10:05:00Z'), revision_id: 'r1', tags: ['code'], explicit: { rating: 5 } },
        { ...at('2026-12-07T10:55:00Z'), revision_id: 'r1', tags: ['code'], explicit: { helpful: false } },
        {
          ...at('2026-12-07T10:30:00Z'),
          revision_id: 'r1',
          timestamp: '2026-12-07T09:59:00.000Z',
          explicit: { rating: 2, complaint: 'slow' },
        },
        { ...at('2026-12-07T10:10:00Z'), implicit: { response_time_ms: 10 } },
      ],
      success,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        revision_id: '',
        bucket: '2026-12-07T10:00:00.000Z',
        dim: '*',
        count: 1,
        positive: 0,
        negative: 0,
      }),
      expect.objectContaining({
        revision_id: 'r1',
        bucket: '2026-12-07T09:00:00.000Z',
        dim: '*',
        count: 1,
        negative: 1,
        rating_count: 1,
        rating_sum: 2,
        rating_sum_sq: 4,
        complaints: 1,
      }),
      expect.objectContaining({
        revision_id: 'r1',
        bucket: '2026-12-07T10:00:00.000Z',
        dim: '*',
        count: 2,
        positive: 1,
        negative: 1,
      }),
      expect.objectContaining({
        revision_id: 'r1',
        bucket: '2026-12-07T10:00:00.000Z',
        dim: 'tag',
        value: 'code',
        count: 2,
        positive: 1,
        negative: 1,
        rating_count: 1,
        rating_sum: 5,
      }),
    ]);
  });

  it('is empty for no events', () => {
    expect(dimensionRollups([], success)).toEqual([]);
  });
});
