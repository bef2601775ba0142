import { json, startFakeServer, type FakeServer } from '@metaloop/testing';
import { EmbeddingError, HttpEmbedder } from './http.embedder';

describe('HttpEmbedder against an OpenAI-compatible endpoint', () => {
  let server: FakeServer;

  beforeAll(async () => {
    // Answers in reverse order, as an endpoint may: the embedder must place them by index.
    server = await startFakeServer((request, response) => {
      const { input } = JSON.parse(request.body) as { input: string[] };
      const data = input.map((text, index) => ({ index, embedding: [text.length, 0, 0, 0] })).reverse();
      json(response, 200, { object: 'list', data });
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.received.length = 0;
    server.clearFaults();
  });

  it('sends the model and key, batches the texts and returns unit vectors in order', async () => {
    const embedder = new HttpEmbedder({ url: `${server.url}/v1/`, model: 'text-embed-3', apiKey: 'k1', batchSize: 2 });
    expect(embedder.name).toBe('openai:text-embed-3');
    const vectors = await embedder.embed(['a', 'bb', 'ccc']);
    expect(vectors.map((v) => Array.from(v))).toEqual([
      [1, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
    ]);
    expect(server.received.map((r) => [r.method, r.path, JSON.parse(r.body)])).toEqual([
      ['POST', '/v1/embeddings', { model: 'text-embed-3', input: ['a', 'bb'] }],
      ['POST', '/v1/embeddings', { model: 'text-embed-3', input: ['ccc'] }],
    ]);
    expect(server.received[0]!.headers.authorization).toBe('Bearer k1');
  });

  it('fails with EmbeddingError on an error status', async () => {
    server.fault('/v1/embeddings', 503);
    const embedder = new HttpEmbedder({ url: `${server.url}/v1`, model: 'm' });
    await expect(embedder.embed(['a'])).rejects.toThrow(EmbeddingError);
    await expect(embedder.embed(['a'])).rejects.toThrow(/answered 503/);
  });

  it('fails with EmbeddingError when the endpoint does not answer in time', async () => {
    server.fault('/v1/embeddings', 'hang');
    const embedder = new HttpEmbedder({ url: `${server.url}/v1`, model: 'm', timeoutMs: 200 });
    await expect(embedder.embed(['a'])).rejects.toThrow(EmbeddingError);
  });

  it('fails when the answer holds fewer embeddings than texts or no numbers', async () => {
    const odd = await startFakeServer((request, response) => {
      const { input } = JSON.parse(request.body) as { input: string[] };
      json(response, 200, input[0] === 'few' ? { data: [] } : { data: [{ index: 0, embedding: ['x'] }] });
    });
    const embedder = new HttpEmbedder({ url: odd.url, model: 'm' });
    await expect(embedder.embed(['few'])).rejects.toThrow(/0 embeddings for 1 texts/);
    await expect(embedder.embed(['nan'])).rejects.toThrow(/not a list of numbers/);
    await odd.close();
  });
});
