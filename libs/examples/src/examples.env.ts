import { int } from '@metaloop/config';
import { z } from 'zod';
import type { Embedder } from './embedding/embedder';
import { HashedNgramEmbedder } from './embedding/hashed-ngram.embedder';
import { HttpEmbedder } from './embedding/http.embedder';

const unlessEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * Env of the apps that embed (oracle-api stores example vectors, feedback-api embeds queries):
 * both must name the same embedder, or retrieval finds nothing (vectors of another embedder
 * are never compared). Unset URL: the in-process hashed n-gram embedder.
 */
export const examplesEnv = {
  /** An OpenAI-compatible base URL (…/v1) whose `/embeddings` embeds examples and queries. */
  EXAMPLES_EMBEDDER_URL: unlessEmpty(z.url()),
  EXAMPLES_EMBEDDER_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EXAMPLES_EMBEDDER_API_KEY: unlessEmpty(z.string().min(1)),
  /** Texts per embeddings request. */
  EXAMPLES_EMBEDDER_BATCH: int(1, 2_048, 64),
  EXAMPLES_EMBEDDER_TIMEOUT_MS: int(100, 120_000, 10_000),
};

export type ExamplesEnv = z.output<z.ZodObject<typeof examplesEnv>>;

/** The embedder the validated env names, read by name (e.g. `(name) => config.get(name)`). */
export function embedderFromEnv(read: (name: keyof ExamplesEnv) => unknown): Embedder {
  const url = read('EXAMPLES_EMBEDDER_URL') as string | undefined;
  if (!url) return new HashedNgramEmbedder();
  return new HttpEmbedder({
    url,
    model: read('EXAMPLES_EMBEDDER_MODEL') as string,
    apiKey: read('EXAMPLES_EMBEDDER_API_KEY') as string | undefined,
    batchSize: read('EXAMPLES_EMBEDDER_BATCH') as number,
    timeoutMs: read('EXAMPLES_EMBEDDER_TIMEOUT_MS') as number,
  });
}
