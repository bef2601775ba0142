import { HashedNgramEmbedder } from './hashed-ngram.embedder';

const embedder = new HashedNgramEmbedder();
const cosine = (a: string, b: string) => {
  const [x, y] = [embedder.embedOne(a), embedder.embedOne(b)];
  return x.reduce((sum, v, i) => sum + v * y[i]!, 0);
};

describe('HashedNgramEmbedder', () => {
  it('names its version and dimensions', () => {
    expect(embedder.name).toBe('hashed-ngram-v1-512');
    expect(new HashedNgramEmbedder({ dimensions: 256 }).name).toBe('hashed-ngram-v1-256');
    expect(() => new HashedNgramEmbedder({ dimensions: 300 })).toThrow(/power of two/);
  });

  it('is deterministic and unit length', async () => {
    const [a, b] = await embedder.embed(['How do I reset my password?', 'How do I reset my password?']);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Math.hypot(...a!)).toBeCloseTo(1, 5);
  });

  it('ignores case and punctuation', () => {
    expect(cosine('Reset my PASSWORD!!', 'reset my password')).toBeCloseTo(1, 5);
  });

  it('ranks texts sharing words and word pieces above unrelated ones', () => {
    const query = 'how can I reset my password';
    const close = cosine(query, 'I forgot my password, how do I reset it?');
    const partial = cosine(query, 'passwords must be reset every 90 days');
    const far = cosine(query, 'what is the shipping cost to Canada');
    expect(close).toBeGreaterThan(partial);
    expect(partial).toBeGreaterThan(far);
    expect(far).toBeLessThan(0.2);
  });

  it('gives an empty or symbol-only text the zero vector (similar to nothing)', () => {
    expect(embedder.embedOne('').every((v) => v === 0)).toBe(true);
    expect(embedder.embedOne('?!…').every((v) => v === 0)).toBe(true);
  });

  it('reads letters of any script', () => {
    expect(cosine('Passwort zurücksetzen', 'passwort zurücksetzen bitte')).toBeGreaterThan(0.6);
    expect(cosine('重置密码', '如何重置密码')).toBeGreaterThan(cosine('重置密码', '运费多少'));
  });
});
