import { UnknownAgents } from './unknown-agents';

describe('UnknownAgents (the config cache negative entries)', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('remembers an id for its TTL, then forgets it', () => {
    const unknown = new UnknownAgents(1_000, 10, clock);
    unknown.add('ghost');
    now += 999;
    expect(unknown.has('ghost')).toBe(true);
    now += 1;
    expect(unknown.has('ghost')).toBe(false);
    expect(unknown.size).toBe(0);
  });

  it('forgets an id at once when told (a config.changed or a load found it)', () => {
    const unknown = new UnknownAgents(1_000, 10, clock);
    unknown.add('ghost');
    unknown.delete('ghost');
    expect(unknown.has('ghost')).toBe(false);
  });

  it('holds at most maxEntries, dropping the oldest first, and sweeps lapsed entries as it adds', () => {
    const unknown = new UnknownAgents(1_000, 3, clock);
    for (const id of ['a', 'b', 'c', 'd']) {
      unknown.add(id);
      now += 10;
    }
    expect(['a', 'b', 'c', 'd'].filter((id) => unknown.has(id))).toEqual(['b', 'c', 'd']);
    // Re-adding refreshes an id: it becomes the newest.
    unknown.add('b');
    unknown.add('e');
    expect(['b', 'c', 'd', 'e'].filter((id) => unknown.has(id))).toEqual(['b', 'd', 'e']);
    now += 1_000;
    unknown.add('f');
    expect(unknown.size).toBe(1);
  });

  it('remembers nothing with a TTL of 0', () => {
    const unknown = new UnknownAgents(0, 3, clock);
    unknown.add('ghost');
    expect(unknown.has('ghost')).toBe(false);
    expect(unknown.size).toBe(0);
  });
});
