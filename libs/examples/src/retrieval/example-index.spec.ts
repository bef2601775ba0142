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

  it('runs on the WebAssembly SIMD kernel from 1,024 slots, on the JavaScript loop below or when told', () => {
    const index = new ExampleIndex<number>(4);
    expect(index.simd).toBe(false);
    for (let i = 0; i < 1_000; i++) index.add(`e${i}`, unit(1, i % 7, 0, 1), i);
    expect(index.simd).toBe(true);
    expect(new ExampleIndex<string>(4, { simdFromCapacity: 0 }).simd).toBe(true);
    expect(new ExampleIndex<string>(4, { simd: false, simdFromCapacity: 0 }).simd).toBe(false);
  });

  describe.each([
    ['the SIMD kernel', { simdFromCapacity: 0 }],
    ['the JavaScript loop', { simd: false }],
  ])('on %s', (_, options) => {
    it('agrees with brute force through growth, replacements and removals', () => {
      let seed = 7;
      const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const vector = () => normalize(Float32Array.from({ length: 16 }, () => (random() > 0.5 ? random() : 0)));
      const index = new ExampleIndex<number>(16, options);
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

    it('agrees with brute force on sparse 512-dimension vectors, any k, odd and even sizes', () => {
      let seed = 11;
      const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      // A third of the dimensions used, as a short text's hashed n-grams; some queries use fewer
      // dimensions than one pass of the kernel takes.
      const vector = (density: number) =>
        normalize(Float32Array.from({ length: 512 }, () => (random() < density ? random() * 2 - 1 : 0)));
      for (const size of [1, 7, 64, 65, 301]) {
        const index = new ExampleIndex<number>(512, options);
        const truth = new Map<string, Float32Array>();
        for (let i = 0; i < size; i++) {
          const v = vector(0.33);
          index.add(`e${i}`, v, i);
          truth.set(`e${i}`, v);
        }
        for (const [k, density] of [
          [1, 0.33],
          [4, 0.01],
          [10, 0.33],
          [400, 0.5],
        ] as const) {
          const query = vector(density);
          const expected = bruteForce(truth, query, k, -1);
          const hits = index.search(query, k, -1);
          expect(hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
          hits.forEach((hit, i) => expect(hit.similarity).toBeCloseTo(expected[i]!.similarity, 6));
        }
      }
    });

    it('orders equal similarities by slot: the example added first comes first', () => {
      const index = new ExampleIndex<string>(3, options);
      for (const id of ['a', 'b', 'c', 'd', 'e']) index.add(id, unit(1, 1, 0), id);
      index.add('z', unit(0, 0, 1), 'z');
      expect(index.search(unit(1, 0, 0), 3).map((h) => h.id)).toEqual(['a', 'b', 'c']);
      expect(index.search(unit(1, 0, 0), 10, 0.5).map((h) => h.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    });
  });

  it('scores bit for bit alike on the SIMD kernel and the JavaScript loop', () => {
    let seed = 3;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const vector = () => normalize(Float32Array.from({ length: 128 }, () => (random() < 0.4 ? random() - 0.5 : 0)));
    const simd = new ExampleIndex<number>(128, { simdFromCapacity: 0 });
    const js = new ExampleIndex<number>(128, { simd: false });
    for (let i = 0; i < 333; i++) {
      const v = vector();
      simd.add(`e${i}`, v, i);
      js.add(`e${i}`, v, i);
    }
    for (let q = 0; q < 10; q++) {
      const query = vector();
      expect(simd.search(query, 333)).toEqual(js.search(query, 333));
    }
  });

  it('refuses vectors of another dimension', () => {
    const index = new ExampleIndex<string>(4);
    expect(() => index.add('a', unit(1, 0), 'A')).toThrow(/2 dimensions in an index of 4/);
    expect(() => index.search(unit(1, 0), 1)).toThrow(/query of 2/);
  });

  // Last: until they are collected, the memories it took are not to be had by another test.
  it('keeps working when the runtime has no more WebAssembly memory to give: the JavaScript loop', () => {
    const indexes: Array<ExampleIndex<number>> = [];
    // Tens of thousands of memories exhaust the address space V8 reserves for them.
    while (indexes.length < 40_000 && (indexes.length === 0 || indexes.at(-1)!.simd)) {
      const index = new ExampleIndex<number>(2, { simdFromCapacity: 0 });
      index.add('a', unit(1, 0), 1);
      indexes.push(index);
    }
    const last = indexes.at(-1)!;
    expect(last.search(unit(1, 0), 1)).toEqual([{ id: 'a', similarity: 1, item: 1 }]);
    indexes.length = 0;
  });
});
