import { normalize, type Embedder } from './embedder';

interface HashedNgramOptions {
  /** A power of two. */
  dimensions?: number;
  /** Only the first this many characters of a text count (queries and inputs are usually short). */
  maxChars?: number;
}

const WORD_SEED = 0x811c9dc5;
const BIGRAM_SEED = 0x01000193;
const CHAR_SEED = 0x5bd1e995;
/** Character n-grams are many; weighted down so the words still count. */
const CHAR_WEIGHT = 0.5;

/**
 * The default embedder: offline, deterministic, in process, no model. Word unigrams and
 * bigrams and character 3–5-grams (across word boundaries, so "reset password" shares grams
 * with "password reset") are hashed into `dimensions` buckets with a hash-derived sign
 * (collisions cancel rather than pile up), counted sublinearly (1 + ln tf) and L2-normalised.
 * Texts that share words and word pieces come out close; it knows no synonyms.
 */
export class HashedNgramEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  private readonly mask: number;
  private readonly maxChars: number;

  constructor(options: HashedNgramOptions = {}) {
    this.dimensions = options.dimensions ?? 512;
    if (this.dimensions < 2 || (this.dimensions & (this.dimensions - 1)) !== 0)
      throw new Error(`dimensions must be a power of two, got ${this.dimensions}`);
    this.mask = this.dimensions - 1;
    this.maxChars = options.maxChars ?? 4_096;
    this.name = `hashed-ngram-v1-${this.dimensions}`;
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  embedOne(text: string): Float32Array {
    const normal = normalizeText(text.slice(0, this.maxChars));
    const counts = new Map<number, number>();
    const count = (hash: number) => counts.set(hash, (counts.get(hash) ?? 0) + 1);
    const words = normal.length ? normal.split(' ') : [];
    for (let i = 0; i < words.length; i++) {
      count(hashOf(words[i]!, WORD_SEED));
      if (i > 0) count(hashOf(`${words[i - 1]} ${words[i]}`, BIGRAM_SEED));
    }
    const padded = ` ${normal} `;
    const charGrams = new Map<number, number>();
    for (let start = 0; start + 3 <= padded.length; start++) {
      let hash = CHAR_SEED;
      for (let n = 1; n <= 5 && start + n <= padded.length; n++) {
        hash = Math.imul(hash ^ padded.charCodeAt(start + n - 1), 0x01000193);
        if (n >= 3) charGrams.set(hash, (charGrams.get(hash) ?? 0) + 1);
      }
    }
    const vector = new Float32Array(this.dimensions);
    const add = (hash: number, tf: number, weight: number) => {
      const mixed = fmix32(hash);
      vector[mixed & this.mask]! += (mixed < 0 ? -1 : 1) * weight * (1 + Math.log(tf));
    };
    for (const [hash, tf] of counts) add(hash, tf, 1);
    for (const [hash, tf] of charGrams) add(hash, tf, CHAR_WEIGHT);
    return normalize(vector);
  }
}

/** Lower case, letters and digits of any script, single spaces. */
function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** FNV-1a over UTF-16 code units. */
function hashOf(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** MurmurHash3's finaliser: every input bit reaches the bucket and the sign. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
