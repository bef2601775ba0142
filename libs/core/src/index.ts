export { contentHash, jsonEqual } from './canonical-json';
export { lineDiff, unifiedDiff } from './line-diff';
export { LATENCY_BUCKET_EDGES_MS, LATENCY_BUCKETS, latencyBucket, latencyQuantile } from './latency-histogram';
export { uuidv7 } from './uuid';
