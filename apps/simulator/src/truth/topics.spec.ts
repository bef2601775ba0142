import { streamRandom } from './random';
import { composeAnswer, composeQuery, helpsWith, POOR_ANSWERS, readExample, TOPICS, topicsOf } from './topics';

describe('topics, queries and answers', () => {
  const all = TOPICS.map((t) => t.id);

  it('puts each topic’s keyword in every one of its queries and in no other topic’s', () => {
    for (let i = 0; i < 400; i++) {
      const query = composeQuery(all, streamRandom(7, i));
      expect(readExample({ input: query.text, output: '' }).topic).toBe(query.topic);
    }
  });

  it('draws queries from the agent’s topics, as a function of the stream alone, with fillers that make them differ', () => {
    const topics = topicsOf(1, 3, 5);
    const queries = Array.from({ length: 200 }, (_, i) => composeQuery(topics, streamRandom(1, 3, i)));
    expect(Array.from({ length: 200 }, (_, i) => composeQuery(topics, streamRandom(1, 3, i)))).toEqual(queries);
    expect(new Set(queries.map((q) => q.topic))).toEqual(new Set(topics));
    expect(new Set(queries.map((q) => q.text)).size).toBeGreaterThan(190);
    expect(queries.every((q) => !/[{}]/.test(q.text))).toBe(true);
  });

  it('gives an agent 5 or 6 distinct topics, the same for the same seed and agent', () => {
    expect(topicsOf(1, 3, 5)).toEqual(topicsOf(1, 3, 5));
    expect(new Set(topicsOf(1, 3, 6)).size).toBe(6);
    expect(topicsOf(1, 3, 99)).toHaveLength(TOPICS.length);
    const firsts = new Set(Array.from({ length: 20 }, (_, i) => topicsOf(1, i, 5).join()));
    expect(firsts.size).toBeGreaterThan(10);
  });

  it('answers well with the topic’s good answer, badly with a poor one, and reads which it was back', () => {
    const query = composeQuery(['refunds'], streamRandom(2, 1));
    const good = composeAnswer('refunds', true, streamRandom(2, 2));
    const poor = composeAnswer('refunds', false, streamRandom(2, 2));
    expect(POOR_ANSWERS).toContain(poor);
    expect(readExample({ input: query.text, output: good })).toEqual({ topic: 'refunds', good: true });
    expect(readExample({ input: query.text, output: poor })).toEqual({ topic: 'refunds', good: false });
    // Another topic's good answer does not answer this one.
    expect(readExample({ input: query.text, output: composeAnswer('shipping', true, streamRandom(2, 3)) }).good).toBe(
      false,
    );
    expect(readExample({ input: 'refund and shipping for order 1', output: good }).topic).toBeNull();
    expect(readExample({ input: 'hello there', output: good })).toEqual({ topic: null, good: false });
  });

  it('helps a session only with an example on its topic that answers it well', () => {
    const good = (topic: string) => ({
      input: composeQuery([topic], streamRandom(3, 1)).text,
      output: composeAnswer(topic, true, streamRandom(3, 2)),
    });
    const poor = { ...good('refunds'), output: POOR_ANSWERS[0]! };
    expect(helpsWith('refunds', [good('shipping'), good('refunds')])).toBe(true);
    expect(helpsWith('refunds', [good('shipping'), poor])).toBe(false);
    expect(helpsWith('refunds', [])).toBe(false);
  });
});
