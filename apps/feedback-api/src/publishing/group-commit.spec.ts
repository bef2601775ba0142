import { GroupCommit, type EnvelopeType } from './group-commit';

interface Published {
  subject: string;
  type: EnvelopeType;
  items: readonly string[];
}

const item = (json: string) => ({ json });

function harness(options: { lingerMs?: number; maxItems?: number; maxBytes?: number; fail?: boolean } = {}) {
  const published: Published[] = [];
  const commit = new GroupCommit<{ json: string }>({
    lingerMs: options.lingerMs ?? 2,
    maxItems: options.maxItems ?? 100,
    maxBytes: options.maxBytes ?? 1_000_000,
    publish: async (subject, type, items) => {
      published.push({ subject, type, items: items.map((i) => i.json) });
      if (options.fail) throw new Error('no ack');
    },
  });
  return { commit, published };
}

describe('GroupCommit', () => {
  it('publishes concurrent items of one subject as one batch and resolves them all', async () => {
    const { commit, published } = harness();
    await Promise.all(['1', '2', '3'].map((json) => commit.submit('feedback.explicit.a', 'feedback', item(json))));
    expect(published).toEqual([{ subject: 'feedback.explicit.a', type: 'feedback', items: ['1', '2', '3'] }]);
  });

  it('keeps subjects apart, one message per subject', async () => {
    const { commit, published } = harness();
    await Promise.all([
      commit.submit('feedback.explicit.a', 'feedback', item('x')),
      commit.submit('feedback.system.gw', 'system', item('y')),
      commit.submit('feedback.explicit.a', 'feedback', item('z')),
    ]);
    expect(published.map((p) => [p.subject, p.type, p.items])).toEqual([
      ['feedback.explicit.a', 'feedback', ['x', 'z']],
      ['feedback.system.gw', 'system', ['y']],
    ]);
  });

  it('sends a full batch at once, without waiting for the linger', async () => {
    const { commit, published } = harness({ lingerMs: 2, maxItems: 2 });
    const first = commit.submit('s', 'feedback', item('a'));
    void commit.submit('s', 'feedback', item('b'));
    expect(published).toHaveLength(1);
    await first;
    const third = commit.submit('s', 'feedback', item('c'));
    expect(published).toHaveLength(1);
    await third;
    expect(published.map((p) => p.items)).toEqual([['a', 'b'], ['c']]);
  });

  it('starts a new batch when the next item would exceed the byte cap', async () => {
    const { commit, published } = harness({ maxBytes: 10 });
    await Promise.all(['aaaa', 'bbbb', 'cccc'].map((json) => commit.submit('s', 'feedback', item(json))));
    expect(published.map((p) => p.items)).toEqual([['aaaa', 'bbbb'], ['cccc']]);
  });

  it('publishes a lone item when its linger ends, not later', async () => {
    jest.useFakeTimers();
    try {
      const { commit, published } = harness({ lingerMs: 2 });
      void commit.submit('s', 'feedback', item('a'));
      jest.advanceTimersByTime(1);
      expect(published).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(published).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('batches the items of one event-loop turn with a linger of 0', async () => {
    const { commit, published } = harness({ lingerMs: 0 });
    await Promise.all(['1', '2'].map((json) => commit.submit('s', 'feedback', item(json))));
    expect(published.map((p) => p.items)).toEqual([['1', '2']]);
  });

  it('rejects every item of a batch whose publish failed', async () => {
    const { commit } = harness({ fail: true });
    const outcomes = await Promise.allSettled(['1', '2'].map((json) => commit.submit('s', 'feedback', item(json))));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('drains lingering and in-flight batches', async () => {
    const { commit, published } = harness({ lingerMs: 2 });
    const pending = commit.submit('s', 'feedback', item('a'));
    await commit.drain();
    expect(published).toHaveLength(1);
    await expect(pending).resolves.toBeUndefined();
  });
});
