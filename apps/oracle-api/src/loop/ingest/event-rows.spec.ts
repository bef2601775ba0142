import { feedbackEventRow, systemMetricId, systemMetricRow } from './event-rows';

describe('raw rows', () => {
  it('maps a feedback event to its columns, with "" for a missing revision', () => {
    const event = {
      event_id: 'e1',
      kind: 'explicit' as const,
      agent_id: 'a',
      session_id: 's',
      received_at: '2026-11-25T10:00:00.000Z',
      explicit: { rating: 4, complaint: 'slow' },
      implicit: { success_rate: 0.5, response_time_ms: 12 },
    };
    const row = JSON.parse(JSON.stringify(feedbackEventRow(event)));
    expect(row).toEqual({
      event_id: 'e1',
      agent_id: 'a',
      session_id: 's',
      revision_id: '',
      occurred_at: '2026-11-25T10:00:00.000Z',
      received_at: '2026-11-25T10:00:00.000Z',
      rating: 4,
      complaint: 'slow',
      success: 0.5,
      response_time_ms: 12,
      tags: [],
      payload: event,
    });
  });

  it('keeps a UUID event id as the system metric id and uses the client timestamp', () => {
    const id = '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b';
    expect(
      systemMetricRow({
        event_id: id.toUpperCase(),
        source: 'gw',
        name: 'q',
        value: 1,
        timestamp: '2026-11-25T09:00:00.000Z',
        received_at: '2026-11-25T10:00:00.000Z',
      }),
    ).toMatchObject({ id, occurred_at: '2026-11-25T09:00:00.000Z' });
  });

  it('derives a stable UUID from any other event id', () => {
    const id = systemMetricId('client-chosen-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(systemMetricId('client-chosen-id')).toBe(id);
    expect(systemMetricId('other')).not.toBe(id);
  });
});
