import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter, Histogram } from 'prom-client';

export type DatasetTrigger = 'api' | 'retrain';
export type TrainingOutcome = 'requested' | 'skipped' | 'failed' | 'completed';

/** Datasets and training requests (seed 001's pipeline). Labels are bounded: never the agent. */
@Injectable()
export class TrainingMetrics {
  readonly datasetsBuilt: Counter<'trigger' | 'outcome'>;
  readonly buildDuration: Histogram<'trigger' | 'outcome'>;
  readonly lines: Counter<'split'>;
  readonly requests: Counter<'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.datasetsBuilt = new Counter({
      name: 'metaloop_datasets_built_total',
      help: 'Dataset builds by trigger (api: POST /datasets, retrain: a retrain finding) and outcome (ready, failed)',
      labelNames: ['trigger', 'outcome'],
      registers: [registry],
    });
    this.buildDuration = new Histogram({
      name: 'metaloop_dataset_build_duration_seconds',
      help: 'Duration of a dataset build (reading the events through the stages, writing the files), by trigger and outcome',
      labelNames: ['trigger', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    });
    this.lines = new Counter({
      name: 'metaloop_dataset_lines_total',
      help: 'Lines written to built datasets, by split (train, validation)',
      labelNames: ['split'],
      registers: [registry],
    });
    this.requests = new Counter({
      name: 'metaloop_training_requests_total',
      help: 'Training requests by outcome: requested (handed to the trainer), skipped (fewer train lines than learning.datasets.min_train_lines), failed (build or delivery gave up), completed (the trainer registered its candidate)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    // Every known label from the start, so rates and panels see 0 before the first event.
    for (const trigger of ['api', 'retrain'])
      for (const outcome of ['ready', 'failed']) this.datasetsBuilt.inc({ trigger, outcome }, 0);
    for (const split of ['train', 'validation']) this.lines.inc({ split }, 0);
    for (const outcome of ['requested', 'skipped', 'failed', 'completed']) this.requests.inc({ outcome }, 0);
  }
}
