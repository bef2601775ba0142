import { KERNEL_WIDTH, scoringMemory, type AccumulateKernel } from './simd-kernel';

interface SearchHit<T> {
  id: string;
  similarity: number;
  item: T;
}

const INITIAL_CAPACITY = 64;
/**
 * Below this many slots the JavaScript loop scores (≈0.1 ms at 1,000 examples): each WebAssembly
 * memory reserves address space, and a process gets some ten thousand of them, so only the
 * agents with many examples get one.
 */
const SIMD_FROM_CAPACITY = 1_024;

export interface ExampleIndexOptions {
  /** false: score in JavaScript even where WebAssembly SIMD is available (the spec compares both). */
  simd?: boolean;
  /** Capacity (slots) from which the SIMD kernel scores; default 1,024. */
  simdFromCapacity?: number;
}

/**
 * One agent's examples in memory for top-k cosine search. The unit vectors sit in one
 * contiguous Float32Array laid out dimension by dimension (column-major): a search adds
 * `q[d] * column d` into the scores only for the dimensions the query uses (two thirds are zero
 * for a short query and hashed n-grams), eight columns per pass over the scores, with a
 * WebAssembly SIMD kernel (`simd-kernel.ts`, two f64 lanes; the same arithmetic as the
 * JavaScript loop it replaces, about 4x sooner; from 1,024 slots on, and where the runtime can
 * give it memory), then keeps the k best in one bounded pass (no sort). Adding, replacing and removing (the last slot moves into the hole) are O(dimensions).
 */
export class ExampleIndex<T> {
  private capacity = 0;
  private matrix!: Float32Array;
  private scores!: Float64Array;
  private kernel?: AccumulateKernel;
  private readonly used: Int32Array;
  private readonly ids: string[] = [];
  private readonly items: T[] = [];
  private readonly slots = new Map<string, number>();

  constructor(
    readonly dimensions: number,
    private readonly options: ExampleIndexOptions = {},
  ) {
    this.used = new Int32Array(dimensions);
    this.allocate(INITIAL_CAPACITY);
  }

  /** Whether searches run on the WebAssembly SIMD kernel (else the JavaScript loop). */
  get simd(): boolean {
    return this.kernel !== undefined;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Adds the example, or replaces the one with this id. `vector` must have unit length. */
  add(id: string, vector: ArrayLike<number>, item: T): void {
    if (vector.length !== this.dimensions)
      throw new Error(`a vector of ${vector.length} dimensions in an index of ${this.dimensions}`);
    let slot = this.slots.get(id);
    if (slot === undefined) {
      if (this.ids.length === this.capacity) this.grow();
      slot = this.ids.length;
      this.ids.push(id);
      this.items.push(item);
      this.slots.set(id, slot);
    } else this.items[slot] = item;
    for (let d = 0; d < this.dimensions; d++) this.matrix[d * this.capacity + slot] = vector[d]!;
  }

  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    if (slot !== last) {
      for (let d = 0; d < this.dimensions; d++) {
        const column = d * this.capacity;
        this.matrix[column + slot] = this.matrix[column + last]!;
      }
      this.ids[slot] = this.ids[last]!;
      this.items[slot] = this.items[last]!;
      this.slots.set(this.ids[slot], slot);
    }
    this.ids.pop();
    this.items.pop();
    this.slots.delete(id);
    return true;
  }

  /**
   * The k most similar examples with cosine ≥ minSimilarity, most similar first; of equal
   * similarity the one in the lower slot (added earlier, unless removals moved it) first.
   */
  search(query: ArrayLike<number>, k: number, minSimilarity = -1): Array<SearchHit<T>> {
    if (query.length !== this.dimensions)
      throw new Error(`a query of ${query.length} dimensions in an index of ${this.dimensions}`);
    const n = this.ids.length;
    if (n === 0 || k <= 0) return [];
    const scores = this.scores;
    // The kernel scores two slots a step; the one past the last (if n is odd) is never read.
    const slots = n + (n & 1);
    scores.fill(0, 0, slots);
    const used = this.used;
    let count = 0;
    for (let d = 0; d < this.dimensions; d++) if (query[d] !== 0) used[count++] = d;
    for (let j = 0; j < count; j += KERNEL_WIDTH) this.accumulate(query, j, count, slots);
    // The best k so far, ascending by score, so the weakest is at 0 and a better one shifts in.
    const topSlots: number[] = [];
    const topScores: number[] = [];
    for (let i = 0; i < n; i++) {
      const score = scores[i]!;
      if (score < minSimilarity) continue;
      if (topSlots.length === k && score <= topScores[0]!) continue;
      let at = 0;
      while (at < topScores.length && topScores[at]! < score) at++;
      topScores.splice(at, 0, score);
      topSlots.splice(at, 0, i);
      if (topSlots.length > k) {
        topScores.shift();
        topSlots.shift();
      }
    }
    const hits: Array<SearchHit<T>> = [];
    for (let j = topSlots.length - 1; j >= 0; j--) {
      const slot = topSlots[j]!;
      hits.push({ id: this.ids[slot]!, similarity: Math.min(1, topScores[j]!), item: this.items[slot]! });
    }
    return hits;
  }

  /**
   * Adds eight of the query's used dimensions (from `used[from]`) into the scores of `slots`
   * slots; past `count` a used column with weight 0, which adds exactly nothing.
   */
  private accumulate(query: ArrayLike<number>, from: number, count: number, slots: number): void {
    const used = this.used;
    const lane = (k: number) => (from + k < count ? used[from + k]! : used[from]!);
    const weight = (k: number) => (from + k < count ? query[used[from + k]!]! : 0);
    const capacity = this.capacity;
    const [d0, d1, d2, d3, d4, d5, d6, d7] = [lane(0), lane(1), lane(2), lane(3), lane(4), lane(5), lane(6), lane(7)];
    const [w0, w1, w2, w3, w4, w5, w6, w7] = [
      weight(0),
      weight(1),
      weight(2),
      weight(3),
      weight(4),
      weight(5),
      weight(6),
      weight(7),
    ];
    if (this.kernel) {
      const base = this.matrix.byteOffset;
      const stride = capacity * Float32Array.BYTES_PER_ELEMENT;
      this.kernel(
        this.scores.byteOffset,
        this.scores.byteOffset + slots * Float64Array.BYTES_PER_ELEMENT,
        base + d0 * stride,
        base + d1 * stride,
        base + d2 * stride,
        base + d3 * stride,
        base + d4 * stride,
        base + d5 * stride,
        base + d6 * stride,
        base + d7 * stride,
        w0,
        w1,
        w2,
        w3,
        w4,
        w5,
        w6,
        w7,
      );
      return;
    }
    const m = this.matrix;
    const scores = this.scores;
    const [c0, c1, c2, c3] = [d0 * capacity, d1 * capacity, d2 * capacity, d3 * capacity];
    const [c4, c5, c6, c7] = [d4 * capacity, d5 * capacity, d6 * capacity, d7 * capacity];
    for (let i = 0; i < slots; i++)
      scores[i]! +=
        w0 * m[c0 + i]! +
        w1 * m[c1 + i]! +
        w2 * m[c2 + i]! +
        w3 * m[c3 + i]! +
        w4 * m[c4 + i]! +
        w5 * m[c5 + i]! +
        w6 * m[c6 + i]! +
        w7 * m[c7 + i]!;
  }

  /** Scores (Float64, at 0) and the matrix (Float32, after them) in one memory the kernel reads. */
  private allocate(capacity: number): void {
    const scoreBytes = capacity * Float64Array.BYTES_PER_ELEMENT;
    const bytes = scoreBytes + this.dimensions * capacity * Float32Array.BYTES_PER_ELEMENT;
    const simd = this.options.simd !== false && capacity >= (this.options.simdFromCapacity ?? SIMD_FROM_CAPACITY);
    const { buffer, kernel } = scoringMemory(bytes, simd);
    this.scores = new Float64Array(buffer, 0, capacity);
    this.matrix = new Float32Array(buffer, scoreBytes, this.dimensions * capacity);
    this.kernel = kernel;
    this.capacity = capacity;
  }

  private grow(): void {
    const old = this.matrix;
    const oldCapacity = this.capacity;
    this.allocate(oldCapacity * 2);
    for (let d = 0; d < this.dimensions; d++)
      this.matrix.set(old.subarray(d * oldCapacity, d * oldCapacity + this.ids.length), d * this.capacity);
  }
}
