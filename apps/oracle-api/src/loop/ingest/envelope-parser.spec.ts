import { parseEnvelope } from './envelope-parser';

const bytes = (text: string) => new TextEncoder().encode(text);
const event = { event_id: 'e1', kind: 'implicit', agent_id: 'a', session_id: 's', received_at: '2026-11-25T10:00:00Z' };

describe('parseEnvelope', () => {
  it('accepts a feedback envelope', () => {
    const result = parseEnvelope(bytes(JSON.stringify({ v: 1, type: 'feedback', events: [event] })));
    expect(result).toMatchObject({ ok: true, envelope: { type: 'feedback', events: [{ event_id: 'e1' }] } });
  });

  it.each([
    ['not JSON', 'hello', /^not UTF-8 JSON: /],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /^not UTF-8 JSON: /],
    ['an unknown version', JSON.stringify({ v: 2, type: 'feedback', events: [event] }), /^not an envelope: v: /],
    ['no events', JSON.stringify({ v: 1, type: 'feedback', events: [] }), /^not an envelope: events: /],
    [
      'an invalid event',
      JSON.stringify({ v: 1, type: 'feedback', events: [{ ...event, agent_id: 'a.b' }] }),
      /events\.0\.agent_id: /,
    ],
    ['a bare event', JSON.stringify(event), /^not an envelope: type: /],
  ])('rejects %s, naming the problem', (_case, body, error) => {
    const result = parseEnvelope(typeof body === 'string' ? bytes(body) : body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });
});
