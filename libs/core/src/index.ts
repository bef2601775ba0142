export { canonicalJson, contentHash, jsonEqual } from './canonical-json';
export { lineDiff, unifiedDiff, type DiffLine, type UnifiedDiff } from './line-diff';
export { LATENCY_BUCKET_BOUNDS_MS, LATENCY_BUCKET_EDGES_MS, LATENCY_BUCKETS, latencyBucket, latencyQuantile } from './latency-histogram';
export { uuidv7 } from './uuid';
