import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MIGRATIONS_DIR } from '@metaloop/db';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import type { StoredFeedbackEvent } from '@metaloop/contracts';
import { IngestWriter } from '../ingest/ingest.writer';

const BACKFILL = readFileSync(
  join(DEFAULT_MIGRATIONS_DIR, '20261207101100_insights_backfill', 'migration.sql'),
  'utf8',
);
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 30, 8) + minutes * 60_000).toISOString();

/** Every kind of event the success definition and the dimension bounds tell apart. */
const events = (
  [
    { explicit: { helpful: true, rating: 2 }, tags: ['a', 'a', 'b'] },
    { explicit: { helpful: false } },
    { explicit: { rating: 4 }, tags: ['a'] },
    { explicit: { rating: 3.5, complaint: '  ' } },
    { explicit: { rating: 5, complaint: 'too long' } },
    { explicit: { helpful: true, correction: 'the answer' } },
    { implicit: { success: true } },
    { implicit: { success: false, response_time_ms: 20 } },
    { implicit: { success_rate: 0.9 } },
    {
      explicit: { rating: 1 },
      context: {
        framework: 'cot',
        n: 3,
        nested: { a: 'b' },
        empty: '',
        long: 'x'.repeat(65),
        'bad key': 'v',
        ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, `v${i}`])),
      },
    },
    { explicit: { rating: 5 }, context: { framework: 'plain', Zeta: 'upper first' }, revision_id: 'rev_x' },
  ] as Partial<StoredFeedbackEvent>[]
).map((fields, i) => ({
  event_id: `bf-${i}`,
  kind: 'explicit' as const,
  agent_id: i % 2 ? 'one' : 'two',
  session_id: 's',
  timestamp: at(i * 20),
  received_at: at(i * 20 + 1),
  ...fields,
}));

describe('the dimension rollups backfill migration', () => {
  let h: OracleHarness;
  beforeAll(async () => {
    h = await oracleHarness('dimension_backfill');
  });
  afterAll(() => h?.dispose());

  const table = () =>
    h.query(
      `SELECT agent_id, revision_id, bucket, dim, value, count, positive, negative, rating_count, rating_sum, rating_sum_sq, complaints
       FROM feedback_dimension_rollups_hourly ORDER BY agent_id, revision_id, bucket, dim, value`,
    );

  it('rebuilds from raw events exactly what ingest writes, and leaves hours that have rows alone', async () => {
    await h.apps[0]!.get(IngestWriter).write([{ v: 1, type: 'feedback', events }]);
    const ingested = await table();
    expect(ingested.length).toBeGreaterThanOrEqual(20);

    await h.query('DELETE FROM feedback_dimension_rollups_hourly');
    await h.query(BACKFILL);
    expect(await table()).toEqual(ingested);

    // Run again: every hour has its rows, nothing is added.
    await h.query(BACKFILL);
    expect(await table()).toEqual(ingested);
  });
});
