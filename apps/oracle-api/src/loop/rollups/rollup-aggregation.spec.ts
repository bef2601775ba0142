import { LATENCY_BUCKETS, latencyBucket } from '@metaloop/core';
import { type StoredFeedbackEvent } from '@metaloop/contracts';
import {
  aggregateRollups,
  hourlyRollups,
  minuteBucket,
  successValue,
  type FeedbackRollupRow,
} from './rollup-aggregation';

let n = 0;
function event(fields: Partial<StoredFeedbackEvent> = {}): StoredFeedbackEvent {
  n += 1;
  return {
    event_id: `e${n}`,
    kind: fields.explicit ? 'explicit' : 'implicit',
    agent_id: 'a',
    session_id: 's',
    received_at: '2026-11-25T10:00:30.000Z',
    ...fields,
  };
}

const hist = (...ms: number[]) => {
  const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const value of ms) counts[latencyBucket(value)]! += 1;
  return counts;
};

/** Only the fields a case is about; everything else must be zero (checked separately). */
function only(row: FeedbackRollupRow, fields: Partial<FeedbackRollupRow>) {
  const zeros: Partial<FeedbackRollupRow> = {
    count: 1,
    success_n: 0,
    success_sum: 0,
    errors: 0,
    rating_count: 0,
    rating_sum: 0,
    rating_sum_sq: 0,
    helpful_up: 0,
    helpful_down: 0,
    complaints: 0,
    latency_count: 0,
    latency_sum_ms: 0,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: 0,
    latency_hist: hist(),
  };
  expect(row).toMatchObject({ ...zeros, ...fields });
}

describe('minuteBucket', () => {
  it.each([
    [
      'the client timestamp',
      { timestamp: '2026-11-25T09:59:59.999Z', received_at: '2026-11-25T10:00:30Z' },
      '2026-11-25T09:59:00.000Z',
    ],
    ['received_at without a timestamp', { received_at: '2026-11-25T10:00:30.5Z' }, '2026-11-25T10:00:00.000Z'],
    ['an offset, normalised to UTC', { received_at: '2026-11-25T12:01:02+02:00' }, '2026-11-25T10:01:00.000Z'],
    ['exactly a minute boundary', { received_at: '2026-11-25T10:02:00.000Z' }, '2026-11-25T10:02:00.000Z'],
  ])('uses %s', (_case, fields, bucket) => {
    expect(minuteBucket(fields)).toBe(bucket);
  });
});

describe('successValue', () => {
  it.each([
    [{ success: true }, 1],
    [{ success: false }, 0],
    [{ success_rate: 0.95 }, 0.95],
    [{ success: false, success_rate: 0.9 }, 0],
    [{ response_time_ms: 3 }, undefined],
  ])('%j → %s', (implicit, value) => {
    expect(successValue({ implicit })).toBe(value);
  });
});

describe('aggregateRollups: one event', () => {
  it.each<[string, Partial<StoredFeedbackEvent>, Partial<FeedbackRollupRow>]>([
    ['counts an empty event', {}, {}],
    ['success true as 1/1', { implicit: { success: true } }, { success_n: 1, success_sum: 1 }],
    [
      'success false as 0/1 and an error',
      { implicit: { success: false } },
      { success_n: 1, success_sum: 0, errors: 1 },
    ],
    ['a success rate as a fraction', { implicit: { success_rate: 0.25 } }, { success_n: 1, success_sum: 0.25 }],
    ['an error code as an error', { implicit: { error_code: 'timeout' } }, { errors: 1 }],
    [
      'success false with an error code as one error',
      { implicit: { success: false, error_code: 'x' } },
      { success_n: 1, errors: 1 },
    ],
    [
      'a rating with its square',
      { explicit: { rating: 4.5 } },
      { rating_count: 1, rating_sum: 4.5, rating_sum_sq: 20.25 },
    ],
    ['helpful up', { explicit: { helpful: true } }, { helpful_up: 1 }],
    ['helpful down', { explicit: { helpful: false } }, { helpful_down: 1 }],
    ['a complaint', { explicit: { complaint: 'too verbose' } }, { complaints: 1 }],
    ['no complaint for blank text', { explicit: { complaint: '  ' } }, { complaints: 0 }],
    [
      'latency with its bucket',
      { implicit: { response_time_ms: 250 } },
      { latency_count: 1, latency_sum_ms: 250, latency_hist: hist(250) },
    ],
    [
      'zero latency in the first bucket',
      { implicit: { response_time_ms: 0 } },
      { latency_count: 1, latency_hist: hist(0) },
    ],
    [
      'tokens and cost',
      { implicit: { tokens_in: 10, tokens_out: 20, cost_usd: 0.002 } },
      { tokens_in: 10, tokens_out: 20, cost_usd: 0.002 },
    ],
  ])('%s', (_case, fields, expected) => {
    const { feedback } = aggregateRollups([event(fields)]);
    expect(feedback).toHaveLength(1);
    only(feedback[0]!, expected);
  });
});

describe('aggregateRollups: keys and sums', () => {
  it('groups by agent, revision ("" when absent) and minute', () => {
    const { feedback } = aggregateRollups([
      event({ agent_id: 'b', revision_id: 'r1' }),
      event({ agent_id: 'a' }),
      event({ agent_id: 'a', revision_id: '' }),
      event({ agent_id: 'a', timestamp: '2026-11-25T10:01:59Z' }),
      event({ agent_id: 'b', revision_id: 'r1', received_at: '2026-11-25T10:00:59.999Z' }),
    ]);
    expect(feedback.map((r) => [r.agent_id, r.revision_id, r.bucket, r.count])).toEqual([
      ['a', '', '2026-11-25T10:00:00.000Z', 2],
      ['a', '', '2026-11-25T10:01:00.000Z', 1],
      ['b', 'r1', '2026-11-25T10:00:00.000Z', 2],
    ]);
  });

  it('adds up a mixed minute', () => {
    const { feedback } = aggregateRollups([
      event({
        explicit: { rating: 5, helpful: true },
        implicit: { response_time_ms: 100, success: true, tokens_in: 3 },
      }),
      event({
        explicit: { rating: 2, complaint: 'wrong' },
        implicit: { response_time_ms: 900, success: false, tokens_out: 4 },
      }),
      event({ implicit: { success_rate: 0.5, cost_usd: 0.25, error_code: 'e' } }),
    ]);
    expect(feedback).toEqual([
      {
        agent_id: 'a',
        revision_id: '',
        bucket: '2026-11-25T10:00:00.000Z',
        count: 3,
        success_n: 3,
        success_sum: 1.5,
        errors: 2,
        rating_count: 2,
        rating_sum: 7,
        rating_sum_sq: 29,
        helpful_up: 1,
        helpful_down: 0,
        complaints: 1,
        latency_count: 2,
        latency_sum_ms: 1000,
        latency_hist: hist(100, 900),
        tokens_in: 3,
        tokens_out: 4,
        cost_usd: 0.25,
      },
    ]);
  });

  it('rolls metrics up per name, booleans as 0/1, sorted by key', () => {
    const { metrics } = aggregateRollups([
      event({ metrics: { resolved: true, csat: 0.5 } }),
      event({ metrics: { resolved: false, csat: 1 } }),
      event({ agent_id: '0', metrics: { z: 3 } }),
    ]);
    const bucket = '2026-11-25T10:00:00.000Z';
    expect(metrics).toEqual([
      { agent_id: '0', revision_id: '', bucket, metric: 'z', count: 1, sum: 3, sum_sq: 9 },
      { agent_id: 'a', revision_id: '', bucket, metric: 'csat', count: 2, sum: 1.5, sum_sq: 1.25 },
      { agent_id: 'a', revision_id: '', bucket, metric: 'resolved', count: 2, sum: 1, sum_sq: 1 },
    ]);
  });

  it('gives nothing for no events', () => {
    expect(aggregateRollups([])).toEqual({ feedback: [], metrics: [] });
  });
});

describe('hourlyRollups', () => {
  it('sums the minutes of each hour per agent and revision, histogram bucket by bucket, sorted by key', () => {
    const { feedback } = aggregateRollups([
      event({
        agent_id: 'b',
        timestamp: '2026-11-25T10:59:59Z',
        implicit: { response_time_ms: 100, success: true, tokens_in: 2 },
      }),
      event({
        agent_id: 'b',
        timestamp: '2026-11-25T10:00:00Z',
        explicit: { rating: 4 },
        implicit: { response_time_ms: 100, cost_usd: 0.5 },
      }),
      event({ agent_id: 'b', timestamp: '2026-11-25T11:00:00Z', implicit: { response_time_ms: 900 } }),
      event({ agent_id: 'a', revision_id: 'r', timestamp: '2026-11-25T10:30:00Z', explicit: { complaint: 'slow' } }),
    ]);
    expect(feedback).toHaveLength(4);
    expect(hourlyRollups(feedback)).toEqual([
      expect.objectContaining({
        agent_id: 'a',
        revision_id: 'r',
        bucket: '2026-11-25T10:00:00.000Z',
        count: 1,
        complaints: 1,
      }),
      {
        agent_id: 'b',
        revision_id: '',
        bucket: '2026-11-25T10:00:00.000Z',
        count: 2,
        success_n: 1,
        success_sum: 1,
        errors: 0,
        rating_count: 1,
        rating_sum: 4,
        rating_sum_sq: 16,
        helpful_up: 0,
        helpful_down: 0,
        complaints: 0,
        latency_count: 2,
        latency_sum_ms: 200,
        latency_hist: hist(100, 100),
        tokens_in: 2,
        tokens_out: 0,
        cost_usd: 0.5,
      },
      expect.objectContaining({ agent_id: 'b', bucket: '2026-11-25T11:00:00.000Z', count: 1, latency_hist: hist(900) }),
    ]);
    expect(hourlyRollups([])).toEqual([]);
  });
});
