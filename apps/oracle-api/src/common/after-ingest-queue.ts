import type { Envelope, StoredFeedbackEvent } from '@metaloop/contracts';
import { errorSummary } from './error-summary';

/** The counters a queue reports to (a feature's `x.metrics.ts`). */
export interface AfterIngestQueueMetrics {
  failures: { inc(labels: { stage: 'queue' | 'write' }): void };
  dropped: { inc(): void };
}

export interface AfterIngestQueueOptions {
  /** What is derived, in warn lines: "examples", "subject memory". */
  what: string;
  /** The past participle of a failed run's warn line: "derived", "updated". */
  failedVerb: string;
  /** Events waiting; beyond it offered events are dropped (counted), never held. */
  maxQueued: number;
  /** Events handed to `work` at a time. */
  perRun: number;
  /** Which feedback events are queued at all. */
  accepts: (event: StoredFeedbackEvent) => boolean;
  /** Checked on every offer (e.g. the policy turned the feature off): false queues nothing. */
  enabled?: () => boolean;
  work: (events: StoredFeedbackEvent[]) => Promise<void>;
  metrics: AfterIngestQueueMetrics;
  logger: { warn(message: string): void };
}

/**
 * A bounded in-process queue of the feedback events ingest committed, worked through in the
 * background in runs of `perRun`. Ingest never waits for it and it never throws at ingest: a full
 * queue drops (counted), a failed run is logged and counted (stage `write`) and the next run goes on.
 */
export class AfterIngestQueue {
  private readonly queue: StoredFeedbackEvent[] = [];
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: AfterIngestQueueOptions) {}

  /** True once `stop()` ran (shutdown): nothing more is started. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** After ingest committed `envelopes`: queues the accepted feedback events. Never waits, never throws. */
  offer(envelopes: readonly Envelope[]): void {
    const { options } = this;
    try {
      if (options.enabled && !options.enabled()) return;
      for (const envelope of envelopes) {
        if (envelope.type !== 'feedback') continue;
        for (const event of envelope.events) {
          if (!options.accepts(event)) continue;
          if (this.queue.length >= options.maxQueued) options.metrics.dropped.inc();
          else this.queue.push(event);
        }
      }
      if (this.queue.length > 0 && !this.running && !this.stopped)
        this.running = this.drain().finally(() => (this.running = undefined));
    } catch (error) {
      options.metrics.failures.inc({ stage: 'queue' });
      options.logger.warn(`${options.what} of a batch not queued: ${errorSummary(error)}`);
    }
  }

  /** Resolves once every offered event has been worked through (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Shutdown: the run in progress finishes its events, the rest stay queued and are not worked on. */
  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    const { options } = this;
    while (this.queue.length > 0 && !this.stopped) {
      const events = this.queue.splice(0, options.perRun);
      try {
        await options.work(events);
      } catch (error) {
        options.metrics.failures.inc({ stage: 'write' });
        options.logger.warn(
          `${options.what} of ${events.length} events not ${options.failedVerb}: ${errorSummary(error)}`,
        );
      }
    }
  }
}
