import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter, Histogram } from 'prom-client';

/** The agent_id label of findings about an agent that is not registered (as feedback-api counts them). */
export const UNREGISTERED_AGENT = '(unregistered)';

/** The analyzer's Prometheus series, on the app's registry. */
@Injectable()
export class AnalysisMetrics {
  readonly findings: Counter<'type' | 'outcome' | 'agent_id'>;
  readonly duration: Histogram;

  constructor(registry: MetricsRegistry) {
    this.findings = new Counter({
      name: 'metaloop_oracle_findings_total',
      help: 'Findings reported by analyses, by type, agent ("(unregistered)" for agents not registered) and outcome: new, recurring (an open problem counted again) or reopened (resolved before)',
      labelNames: ['type', 'outcome', 'agent_id'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'metaloop_oracle_analysis_duration_seconds',
      help: 'Time one analysis takes: reading the rollups, the statistics and recording the findings',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }
}
