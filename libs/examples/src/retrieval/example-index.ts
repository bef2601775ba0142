export interface SearchHit<T> {
  id: string;
  similarity: number;
  item: T;
}

const INITIAL_CAPACITY = 64;

/**
 * One agent's examples in memory for top-k cosine search. The unit vectors sit in one
 * contiguous Float32Array laid out dimension by dimension (column-major): a search adds
 * `q[d] * column d` into the scores for each dimension the query actually uses, in tight
 * sequential loops that skip the query's zero dimensions (two thirds of them, for a short
 * query and hashed n-grams). Adding, replacing and removing (the last slot moves into the hole)
 * are O(dimensions).
 */
export class ExampleIndex<T> {
  private capacity = INITIAL_CAPACITY;
  private matrix: Float32Array;
  private scores: Float64Array;
  private readonly ids: string[] = [];
  private readonly items: T[] = [];
  private readonly slots = new Map<string, number>();

  constructor(readonly dimensions: number) {
    this.matrix = new Float32Array(dimensions * this.capacity);
    this.scores = new Float64Array(this.capacity);
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

  /** The k most similar examples with cosine ≥ minSimilarity, most similar first. */
  search(query: ArrayLike<number>, k: number, minSimilarity = -1): Array<SearchHit<T>> {
    if (query.length !== this.dimensions)
      throw new Error(`a query of ${query.length} dimensions in an index of ${this.dimensions}`);
    const n = this.ids.length;
    if (n === 0 || k <= 0) return [];
    const scores = this.scores;
    scores.fill(0, 0, n);
    const matrix = this.matrix;
    const capacity = this.capacity;
    const used: number[] = [];
    for (let d = 0; d < this.dimensions; d++) if (query[d] !== 0) used.push(d);
    // Four dimensions per pass over the scores: a quarter of the score loads and stores, which
    // is what bounds this loop (measured 3× faster than one dimension per pass).
    let j = 0;
    for (; j + 4 <= used.length; j += 4) {
      const d0 = used[j]!;
      const d1 = used[j + 1]!;
      const d2 = used[j + 2]!;
      const d3 = used[j + 3]!;
      const w0 = query[d0]!;
      const w1 = query[d1]!;
      const w2 = query[d2]!;
      const w3 = query[d3]!;
      const c0 = d0 * capacity;
      const c1 = d1 * capacity;
      const c2 = d2 * capacity;
      const c3 = d3 * capacity;
      for (let i = 0; i < n; i++)
        scores[i]! += w0 * matrix[c0 + i]! + w1 * matrix[c1 + i]! + w2 * matrix[c2 + i]! + w3 * matrix[c3 + i]!;
    }
    for (; j < used.length; j++) {
      const weight = query[used[j]!]!;
      const column = used[j]! * capacity;
      for (let i = 0; i < n; i++) scores[i]! += weight * matrix[column + i]!;
    }
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

  private grow(): void {
    const capacity = this.capacity * 2;
    const matrix = new Float32Array(this.dimensions * capacity);
    for (let d = 0; d < this.dimensions; d++)
      matrix.set(this.matrix.subarray(d * this.capacity, d * this.capacity + this.ids.length), d * capacity);
    this.matrix = matrix;
    this.scores = new Float64Array(capacity);
    this.capacity = capacity;
  }
}
