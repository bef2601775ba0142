// npm run bench:examples — retrieval for dynamic examples (DICL, issue 15), in one process:
// top-k cosine search of the in-memory index (libs/examples ExampleIndex) at 1k, 10k and 100k
// examples of one agent, against a naive baseline in the same run (number[] vectors, a full dot
// product each, then a sort); the query's embedding on its own; and the default embedder's
// throughput. Goal: top-k of 10,000 examples under 2 ms p99. Imports the built lib (dist/), as
// the apps run it. Texts are synthetic support questions (topics × templates × fillers).
import examplesLib from '../libs/examples/dist/index.js';

const { ExampleIndex, HashedNgramEmbedder } = examplesLib;
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2_000);
const K = 4;
const MIN_SIMILARITY = 0.3;

let seed = 42;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pick = (list) => list[Math.floor(random() * list.length)];

const TOPICS = {
  password: ['reset my password', 'change the password', 'password reset link expired', 'locked out of my account'],
  billing: ['charged twice this month', 'update my credit card', 'download last invoice', 'cancel the subscription'],
  shipping: ['ship to Canada', 'track my parcel', 'delivery is late', 'change the delivery address'],
  refunds: ['refund after 20 days', 'return a damaged item', 'refund not received yet', 'exchange for another size'],
  account: ['delete my account', 'change my email address', 'enable two-factor login', 'merge two accounts'],
  api: ['rate limit errors on the API', 'rotate an API key', 'webhook signature fails', 'pagination of results'],
  plans: ['upgrade to the team plan', 'student discount', 'seats on the business plan', 'yearly billing price'],
  outage: ['the app is down', 'dashboard loads slowly', 'sync stopped working', 'error 502 on login'],
};
const TEMPLATES = [
  (s) => `How do I ${s}?`,
  (s) => `Hi, I need help: ${s}. What should I do?`,
  (s) => `Is it possible to ${s} from the mobile app?`,
  (s) => `${s} — this is urgent, order ${Math.floor(random() * 1e6)}`,
  (s) => `Can you explain how to ${s} for my company account, we have ${Math.floor(random() * 90) + 2} users`,
];
const FILLERS = [
  '',
  ' Thanks!',
  ' I tried twice already.',
  ' Please answer in English.',
  ' My colleague had the same issue.',
];
const text = () => pick(TEMPLATES)(pick(pick(Object.values(TOPICS)))) + pick(FILLERS);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (value) => value.toFixed(3);

function timed(queries, run) {
  for (const q of queries.slice(0, Math.min(200, Math.ceil(queries.length / 4)))) run(q); // warm-up: JIT, caches
  const latencies = queries.map((q) => {
    const started = performance.now();
    run(q);
    return performance.now() - started;
  });
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/** The baseline: number[] vectors, every dot product in full, every score sorted. */
function naiveSearch(vectors, query, k, minSimilarity) {
  const scored = [];
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d] * query[d];
    if (dot >= minSimilarity) scored.push({ i, dot });
  }
  scored.sort((a, b) => b.dot - a.dot);
  return scored.slice(0, k);
}

const embedder = new HashedNgramEmbedder();
console.log(
  `bench:examples — embedder ${embedder.name}, k=${K}, min_similarity=${MIN_SIMILARITY}, node ${process.version}`,
);

// Embedding throughput (single thread), against sha256 of the same texts as the machine's yardstick.
const { createHash } = await import('node:crypto');
const sample = Array.from({ length: 20_000 }, text);
let started = performance.now();
for (const t of sample) embedder.embedOne(t);
const embedSeconds = (performance.now() - started) / 1000;
started = performance.now();
for (const t of sample) createHash('sha256').update(t).digest();
const hashSeconds = (performance.now() - started) / 1000;
const meanChars = sample.reduce((sum, t) => sum + t.length, 0) / sample.length;
console.log(
  `embedding: ${Math.round(sample.length / embedSeconds).toLocaleString('en')} texts/s (${Math.round((embedSeconds / sample.length) * 1e6)} µs per text of ${Math.round(meanChars)} chars); baseline sha256 of the same texts ${Math.round(sample.length / hashSeconds).toLocaleString('en')} texts/s`,
);

const queryTexts = Array.from({ length: QUERIES }, text);
const queryVectors = queryTexts.map((t) => embedder.embedOne(t));
const nonZero = queryVectors.reduce((sum, v) => sum + v.filter((x) => x !== 0).length, 0) / queryVectors.length;
const embedQuery = timed(queryTexts, (t) => embedder.embedOne(t));
console.log(
  `query embedding: p50 ${ms(embedQuery.p50)} ms, p99 ${ms(embedQuery.p99)} ms; a query uses ${Math.round(nonZero)} of ${embedder.dimensions} dimensions on average\n`,
);

const rows = [];
const index = new ExampleIndex(embedder.dimensions);
const naive = [];
for (const size of SIZES) {
  while (index.size < size) {
    const vector = embedder.embedOne(text());
    index.add(`e${index.size}`, vector, { n: index.size });
    naive.push(Array.from(vector));
  }
  // Fewer queries where each takes long, so the run stays within minutes.
  const count = (budget) => Math.max(100, Math.min(QUERIES, Math.floor(budget / size)));
  const search = timed(queryVectors.slice(0, count(5e7)), (q) => index.search(q, K, MIN_SIMILARITY));
  const baseline = timed(queryVectors.slice(0, count(1e7)), (q) => naiveSearch(naive, q, K, MIN_SIMILARITY));
  const both = timed(queryTexts.slice(0, count(5e7)), (t) => index.search(embedder.embedOne(t), K, MIN_SIMILARITY));
  rows.push({ size, search, baseline, both, memoryMb: (size * embedder.dimensions * 4) / 2 ** 20 });
}

console.log(
  'examples | index p50 ms | index p99 ms | baseline p50 ms | baseline p99 ms | speed-up p50 | embed+search p99 ms | vectors MB',
);
for (const { size, search, baseline, both, memoryMb } of rows)
  console.log(
    [
      size.toLocaleString('en').padStart(8),
      ms(search.p50).padStart(12),
      ms(search.p99).padStart(12),
      ms(baseline.p50).padStart(15),
      ms(baseline.p99).padStart(15),
      `${(baseline.p50 / search.p50).toFixed(1)}×`.padStart(12),
      ms(both.p99).padStart(19),
      memoryMb.toFixed(0).padStart(10),
    ].join(' | '),
  );
const tenK = rows.find((r) => r.size === 10_000);
if (tenK)
  console.log(
    `\ngoal top-k of 10,000 under 2 ms p99 in process: ${tenK.search.p99 < 2 ? 'met' : 'NOT met'} (${ms(tenK.search.p99)} ms)`,
  );
