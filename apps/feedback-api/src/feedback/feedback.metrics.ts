import { Injectable } from '@nestjs/common';
import { labelledChildren, MetricsRegistry } from '@metaloop/observability';
import { Counter, Histogram } from 'prom-client';

const EVENT_KINDS = ['explicit', 'implicit', 'system'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
const EVENT_RESULTS = ['accepted', 'duplicate', 'rejected'] as const;
export type EventResult = (typeof EVENT_RESULTS)[number];

/** System-metric sources get a series each up to this many; the rest count under OTHER_SOURCES. */
const MAX_SOURCE_LABELS = 100;
const OTHER_SOURCES = '(other)';

/** feedback-api's own Prometheus series. */
@Injectable()
export class FeedbackMetrics {
  readonly events: Counter<'kind' | 'agent_id' | 'result'>;
  readonly publishDuration: Histogram<'type' | 'outcome'>;
  readonly batchEvents: Histogram<'type'>;
  readonly dedupeErrors: Counter<'operation'>;
  /** kind, agent_id, result */
  private eventSeries: (...labels: string[]) => Counter.Internal;
  private readonly sources = new Set<string>();

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

  /** Per event (the hot path of collect); `agentLabel` is bounded by the caller (LiveConfigCache.agentLabel). */
  count(kind: EventKind, agentLabel: string, result: EventResult, n = 1): void {
    this.eventSeries(kind, agentLabel, result).inc(n);
  }

  /** The label of a system metric's source: sources are the client's to name, so only the first ones get their own. */
  sourceLabel(source: string): string {
    if (this.sources.has(source)) return source;
    if (this.sources.size >= MAX_SOURCE_LABELS) return OTHER_SOURCES;
    this.sources.add(source);
    return source;
  }

  /** Drops the series of an agent that is not registered any more. */
  forget(agentId: string): void {
    for (const kind of EVENT_KINDS)
      for (const result of EVENT_RESULTS) this.events.remove({ kind, agent_id: agentId, result });
    // The cached children of removed series would count where no scrape sees them.
    this.eventSeries = labelledChildren(this.events);
  }
}
