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

  it('refuses only the events the contract refuses, each on its own with its reason', () => {
    const poisoned = { ...event, event_id: 'e2', explicit: { comment: 'a\u0000b' } };
    const lone = { ...event, event_id: 'e4', context: { k: '\uD800' } };
    const body = { v: 1, type: 'feedback', events: [event, poisoned, { ...event, event_id: 'e3' }, lone] };
    const result = parseEnvelope(bytes(JSON.stringify(body)));
    if (!result.ok) throw new Error(result.error);
    expect(result.envelope.events.map((e) => e.event_id)).toEqual(['e1', 'e3']);
    expect(result.indices).toEqual([0, 2]);
    expect(result.refused.map(({ index, error }) => ({ index, error }))).toEqual([
      {
        index: 1,
        error: expect.stringMatching(/^not an envelope: events\.1\.explicit\.comment: must not contain NUL/),
      },
      { index: 3, error: expect.stringMatching(/^not an envelope: events\.3\.context\.k: .*unpaired surrogates/) },
    ]);
    expect(JSON.parse(Buffer.from(result.refused[0]!.body).toString())).toEqual({ ...body, events: [poisoned] });
  });

  it('a message whose every event is refused is refused as a whole', () => {
    const poisoned = { ...event, session_id: 'a\u0000b' };
    const result = parseEnvelope(bytes(JSON.stringify({ v: 1, type: 'feedback', events: [poisoned, poisoned] })));
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/^not an envelope: events\.0\.session_id: .*; events\.1\.session_id: /),
    });
  });
});
