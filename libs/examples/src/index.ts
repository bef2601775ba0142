export { normalize, type Embedder } from './embedding/embedder';
export { HashedNgramEmbedder, type HashedNgramOptions } from './embedding/hashed-ngram.embedder';
export { EmbeddingError, HttpEmbedder, type HttpEmbedderOptions } from './embedding/http.embedder';
export { ExampleIndex, type SearchHit } from './retrieval/example-index';
export {
  CORRECTION_QUALITY,
  exampleContentHash,
  judgeEvent,
  type Demotion,
  type ExampleDraft,
  type ExampleSource,
  type JudgedEvent,
  type Judgement,
} from './judging/judge-event';
export { embedderFromEnv, examplesEnv, type ExamplesEnv } from './examples.env';
