import { Injectable } from '@nestjs/common';
import { labelledChildren, MetricsRegistry } from '@metaloop/observability';
import { Counter, Histogram } from 'prom-client';

export type EventKind = 'explicit' | 'implicit' | 'system';
export type EventResult = 'accepted' | 'duplicate' | 'rejected';

/** feedback-api's own Prometheus series. */
@Injectable()
export class FeedbackMetrics {
  readonly events: Counter<'kind' | 'agent_id' | 'result'>;
  readonly publishDuration: Histogram<'type' | 'outcome'>;
  readonly batchEvents: Histogram<'type'>;
  readonly dedupeErrors: Counter<'operation'>;
  /** kind, agent_id, result */
  private readonly eventSeries: (...labels: string[]) => Counter.Internal;

  constructor(registry: MetricsRegistry) {
    this.events = new Counter({
      name: 'metaloop_feedback_events_total',
      help: 'Feedback and system-metric events by kind, agent (or source) and result (accepted, duplicate, rejected)',
      labelNames: ['kind', 'agent_id', 'result'],
      registers: [registry],
    });
    this.publishDuration = new Histogram({
      name: 'metaloop_feedback_publish_duration_seconds',
      help: 'Time from publishing a group-commit batch to its JetStream ack',
      labelNames: ['type', 'outcome'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.batchEvents = new Histogram({
      name: 'metaloop_feedback_batch_events',
      help: 'Events carried by one published JetStream message (group commit)',
      labelNames: ['type'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers: [registry],
    });
    this.dedupeErrors = new Counter({
      name: 'metaloop_feedback_dedupe_errors_total',
      help: 'Redis failures of the duplicate check; while they happen a retry may be answered as new (it is still stored once)',
      labelNames: ['operation'],
      registers: [registry],
    });
    this.eventSeries = labelledChildren(this.events);
  }

  /** Per event (the hot path of collect). */
  count(kind: EventKind, agentId: string, result: EventResult, n = 1): void {
    this.eventSeries(kind, agentId, result).inc(n);
  }
}
