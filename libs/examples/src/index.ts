export type { Embedder } from './embedding/embedder';
export { HashedNgramEmbedder } from './embedding/hashed-ngram.embedder';
export { ExampleIndex } from './retrieval/example-index';
export { exampleContentHash, judgeEvent, type Judgement } from './judging/judge-event';
export { embedderFromEnv, examplesEnv, type ExamplesEnv } from './examples.env';
