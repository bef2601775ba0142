import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter } from 'prom-client';

@Injectable()
export class RetentionMetrics {
  readonly runs: Counter<'outcome'>;
  readonly rowsDeleted: Counter<'table'>;

  constructor(registry: MetricsRegistry) {
    this.runs = new Counter({
      name: 'metaloop_retention_purge_runs_total',
      help: 'Raw-event retention purges by outcome (success, failure)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.rowsDeleted = new Counter({
      name: 'metaloop_retention_rows_deleted_total',
      help: 'Raw rows deleted by the retention purge, by table (rollups are never purged)',
      labelNames: ['table'],
      registers: [registry],
    });
  }
}
