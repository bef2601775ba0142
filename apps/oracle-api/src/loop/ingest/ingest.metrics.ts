import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

export type DeadLetterReason = 'malformed' | 'max_deliveries' | 'unstorable';

/** The ingest pipeline's Prometheus series, on the app's registry. */
@Injectable()
export class IngestMetrics {
  readonly consumerPending: Gauge;
  readonly deadLetterDepth: Gauge;
  readonly batchMessages: Histogram;
  readonly batchDuration: Histogram<'outcome'>;
  readonly events: Counter<'type' | 'result'>;
  readonly deadLetters: Counter<'reason'>;

  constructor(registry: MetricsRegistry) {
    this.consumerPending = new Gauge({
      name: 'metaloop_ingest_consumer_pending',
      help: 'Messages of the ingest consumer not yet processed: undelivered (num_pending) plus delivered but unacknowledged (num_ack_pending)',
      registers: [registry],
    });
    this.deadLetterDepth = new Gauge({
      name: 'metaloop_dlq_depth',
      help: 'Messages in the FEEDBACK_DLQ stream waiting for an operator (list and replay via /api/v1/oracle/dlq)',
      registers: [registry],
    });
    this.batchMessages = new Histogram({
      name: 'metaloop_ingest_batch_messages',
      help: 'Messages (envelopes) per ingest fetch batch',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers: [registry],
    });
    this.batchDuration = new Histogram({
      name: 'metaloop_ingest_batch_duration_seconds',
      help: 'Time to process one fetch batch, from parse to the last ack; outcome committed (one transaction), isolated (Postgres refused events: isolated by bisection; or a message failed: retried one by one) or abandoned (handed back at shutdown during a database outage)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.events = new Counter({
      name: 'metaloop_ingest_events_total',
      help: 'Events written by the ingest consumer, by type (feedback, system) and result (inserted, or duplicate: stored before)',
      labelNames: ['type', 'result'],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'metaloop_ingest_dead_letters_total',
      help: 'Messages (or single events of a message) moved to the dead-letter stream, by reason: malformed (refused by the contract), unstorable (refused by Postgres) or max_deliveries (failed every delivery)',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
