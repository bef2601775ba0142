import { normalize } from '../embedding/embedder';
import { ExampleIndex } from './example-index';

const unit = (...values: number[]) => normalize(Float32Array.from(values));

/** The expected order by brute force: every dot product, sorted. */
function bruteForce(vectors: Map<string, Float32Array>, query: Float32Array, k: number, min: number) {
  return [...vectors]
    .map(([id, v]) => ({ id, similarity: v.reduce((s, x, i) => s + x * query[i]!, 0) }))
    .filter((hit) => hit.similarity >= min)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
}

describe('ExampleIndex', () => {
  it('finds the k most similar above the threshold, most similar first', () => {
    const index = new ExampleIndex<string>(3);
    index.add('x', unit(1, 0, 0), 'X');
    index.add('xy', unit(1, 1, 0), 'XY');
    index.add('y', unit(0, 1, 0), 'Y');
    index.add('z', unit(0, 0, 1), 'Z');
    const hits = index.search(unit(1, 0.2, 0), 2);
    expect(hits.map((h) => [h.id, h.item])).toEqual([
      ['x', 'X'],
      ['xy', 'XY'],
    ]);
    expect(hits[0]!.similarity).toBeCloseTo(1 / Math.hypot(1, 0.2), 5);
    expect(index.search(unit(1, 0.2, 0), 10, 0.5).map((h) => h.id)).toEqual(['x', 'xy']);
    expect(index.search(unit(1, 0, 0), 0)).toEqual([]);
  });

  it('replaces an example by id and removes one, keeping the others searchable', () => {
    const index = new ExampleIndex<string>(2);
    index.add('a', unit(1, 0), 'A');
    index.add('b', unit(0, 1), 'B');
    index.add('c', unit(1, 1), 'C');
    index.add('a', unit(0, 1), 'A2');
    expect(index.size).toBe(3);
    expect(index.search(unit(0, 1), 1)[0]).toMatchObject({ item: expect.stringMatching(/^(A2|B)$/) });
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.search(unit(1, 0), 3).map((h) => h.id)).toEqual(['c', 'b']);
  });

  it('agrees with brute force through growth, replacements and removals', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const vector = () => normalize(Float32Array.from({ length: 16 }, () => (random() > 0.5 ? random() : 0)));
    const index = new ExampleIndex<number>(16);
    const truth = new Map<string, Float32Array>();
    for (let i = 0; i < 500; i++) {
      const id = `e${Math.floor(((random() + 1) / 2) * 300)}`;
      if (random() < -0.6) {
        expect(index.remove(id)).toBe(truth.delete(id));
      } else {
        const v = vector();
        index.add(id, v, i);
        truth.set(id, v);
      }
    }
    expect(index.size).toBe(truth.size);
    for (let q = 0; q < 20; q++) {
      const query = vector();
      const expected = bruteForce(truth, query, 5, 0.1);
      const hits = index.search(query, 5, 0.1);
      expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      hits.forEach((hit, i) => expect(hit.similarity).toBeCloseTo(expected[i]!.similarity, 5));
    }
  });

  it('refuses vectors of another dimension', () => {
    const index = new ExampleIndex<string>(4);
    expect(() => index.add('a', unit(1, 0), 'A')).toThrow(/2 dimensions in an index of 4/);
    expect(() => index.search(unit(1, 0), 1)).toThrow(/query of 2/);
  });
});
