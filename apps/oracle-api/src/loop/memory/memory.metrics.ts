import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter } from 'prom-client';

export type MemoryOutcome = 'interaction' | 'duplicate' | 'goal' | 'preference' | 'persona_update' | 'pruned';

/** Per-subject memory's Prometheus series (seed 002). */
@Injectable()
export class MemoryMetrics {
  readonly writes: Counter<'outcome'>;
  readonly failures: Counter<'stage'>;
  readonly dropped: Counter;
  readonly model: Counter<'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.writes = new Counter({
      name: 'metaloop_subject_memory_writes_total',
      help: 'Per-subject memory learned from ingested feedback: interaction (a HISTORY item), duplicate (a redelivered event, skipped), goal and preference (new or merged), persona_update, pruned (items over the caps or past retention)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'metaloop_subject_memory_failures_total',
      help: 'Ingested events whose subject memory could not be updated (the events themselves are stored): stage queue or write',
      labelNames: ['stage'],
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'metaloop_subject_memory_dropped_events_total',
      help: 'Ingested events with a subject_id not learned from because the queue was full',
      registers: [registry],
    });
    this.model = new Counter({
      name: 'metaloop_subject_memory_model_calls_total',
      help: 'Calls to the optional persona model: applied (validated deltas used), rejected (an answer that did not validate), failed (no answer)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }
}
