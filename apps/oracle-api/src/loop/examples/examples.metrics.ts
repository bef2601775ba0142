import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter } from 'prom-client';

export type ExampleOutcome = 'example' | 'correction' | 'demotion' | 'capped' | 'expired' | 'erased';

/** The example store's Prometheus series (DICL). */
@Injectable()
export class ExamplesMetrics {
  readonly writes: Counter<'outcome'>;
  readonly failures: Counter<'stage'>;
  readonly dropped: Counter;

  constructor(registry: MetricsRegistry) {
    this.writes = new Counter({
      name: 'metaloop_examples_writes_total',
      help: 'Examples written from ingested feedback: example (new or better), correction (a corrected output), demotion (by a complaint or correction of its session or inference, whichever arrived first), capped (over the per-agent cap), expired (retention), erased (made from the events of a subject whose data was erased)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'metaloop_examples_failures_total',
      help: 'Batches of ingested events whose examples could not be derived (the events themselves are stored): stage queue, embed or write',
      labelNames: ['stage'],
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'metaloop_examples_dropped_events_total',
      help: 'Ingested events not looked at for examples because the queue was full (ingest outran the example store)',
      registers: [registry],
    });
  }
}
