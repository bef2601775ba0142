import { normalize, type Embedder } from './embedder';

interface HttpEmbedderOptions {
  /** An OpenAI-compatible base URL (e.g. https://api.openai.com/v1); `/embeddings` is appended. */
  url: string;
  model: string;
  apiKey?: string;
  /** Texts per request. */
  batchSize?: number;
  timeoutMs?: number;
}

/** The endpoint failed, timed out or answered something that is not embeddings. */
export class EmbeddingError extends Error {
  override readonly name = 'EmbeddingError';
}

interface EmbeddingsResponse {
  data?: Array<{ index?: number; embedding?: unknown }>;
}

/**
 * An OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, text-embeddings-inference,
 * Ollama…): texts go in batches, each with a timeout; vectors come back L2-normalised. Its
 * name carries the model, so vectors of another model are never compared with these.
 */
export class HttpEmbedder implements Embedder {
  readonly name: string;
  private readonly endpoint: string;
  private readonly batchSize: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpEmbedderOptions) {
    this.name = `openai:${options.model}`;
    this.endpoint = `${options.url.replace(/\/+$/, '')}/embeddings`;
    this.batchSize = options.batchSize ?? 64;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize)
      vectors.push(...(await this.request(texts.slice(start, start + this.batchSize))));
    return vectors;
  }

  private async request(input: readonly string[]): Promise<Float32Array[]> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.options.model, input }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new EmbeddingError(`${this.endpoint}: ${(error as Error).message}`);
    }
    if (!response.ok)
      throw new EmbeddingError(
        `${this.endpoint} answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
    const body = (await response.json().catch(() => ({}))) as EmbeddingsResponse;
    const data = body.data ?? [];
    if (data.length !== input.length)
      throw new EmbeddingError(`${this.endpoint} returned ${data.length} embeddings for ${input.length} texts`);
    const vectors = new Array<Float32Array>(input.length);
    for (const [position, item] of data.entries()) {
      const index = item.index ?? position;
      const embedding = item.embedding;
      if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((v) => typeof v === 'number'))
        throw new EmbeddingError(`${this.endpoint} returned an embedding that is not a list of numbers`);
      if (index < 0 || index >= input.length || vectors[index])
        throw new EmbeddingError(`${this.endpoint} returned embedding index ${index} out of place`);
      vectors[index] = normalize(Float32Array.from(embedding as number[]));
    }
    return vectors;
  }
}
