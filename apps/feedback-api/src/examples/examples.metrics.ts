import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** Retrieval of examples (DICL) on feedback-api. */
@Injectable()
export class ExamplesMetrics {
  readonly examples: Gauge;
  readonly loads: Counter<'via'>;
  readonly searchDuration: Histogram;
  readonly retrievalFailures: Counter;
  readonly retrievedPerFetch: Histogram;

  constructor(registry: MetricsRegistry) {
    this.examples = new Gauge({
      name: 'metaloop_examples_in_memory',
      help: 'Active examples held in memory for retrieval, over every loaded agent',
      registers: [registry],
    });
    this.loads = new Counter({
      name: 'metaloop_examples_loads_total',
      help: "Reads of an agent's examples from Postgres: miss (first asked for), message (examples.changed after deletions), refresh (examples.changed, what changed), resync (periodic full read)",
      labelNames: ['via'],
      registers: [registry],
    });
    this.searchDuration = new Histogram({
      name: 'metaloop_examples_search_duration_seconds',
      help: "Top-k cosine search over one agent's in-memory examples (the query's embedding not included)",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
      registers: [registry],
    });
    this.retrievalFailures = new Counter({
      name: 'metaloop_examples_retrieval_failures_total',
      help: 'Config fetches with a query answered without examples_retrieved because retrieval failed (Postgres or the embedder)',
      registers: [registry],
    });
    this.retrievedPerFetch = new Histogram({
      name: 'metaloop_examples_retrieved_per_fetch',
      help: 'Examples a config fetch with a query brought back (examples_retrieved: the k most similar above min_similarity, within max_chars), per fetch of a revision with dynamic_examples',
      buckets: [0, 1, 2, 3, 4, 6, 8, 12, 16],
      registers: [registry],
    });
  }
}
