import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter, Gauge } from 'prom-client';

/** Labels: the period only (weekly, monthly) and the trigger; never the agent (unbounded). */
@Injectable()
export class ReportsMetrics {
  readonly generated: Counter<'period' | 'trigger'>;
  readonly successDropAlerts: Counter<'period'>;
  readonly fleetSuccessRate: Gauge<'period'>;
  readonly fleetSuccessRateChange: Gauge<'period'>;
  readonly webhookDeliveries: Counter<'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.generated = new Counter({
      name: 'metaloop_reports_generated_total',
      help: 'Weekly/monthly reports generated, by period and trigger (schedule, api)',
      labelNames: ['period', 'trigger'],
      registers: [registry],
    });
    this.successDropAlerts = new Counter({
      name: 'metaloop_report_success_drop_alerts_total',
      help: "Reports whose success rate fell more than the policy's insights.reports.alert_drop_percent vs the previous period",
      labelNames: ['period'],
      registers: [registry],
    });
    this.fleetSuccessRate = new Gauge({
      name: 'metaloop_report_success_rate',
      help: 'Success rate of the last fleet-wide report generated here, by period',
      labelNames: ['period'],
      registers: [registry],
    });
    this.fleetSuccessRateChange = new Gauge({
      name: 'metaloop_report_success_rate_change_percent',
      help: 'Relative change of the success rate vs the previous period in the last fleet-wide report, by period',
      labelNames: ['period'],
      registers: [registry],
    });
    // Both periods exported from the start: the alert rule sees the counter before its first alert.
    for (const period of ['weekly', 'monthly']) this.successDropAlerts.inc({ period }, 0);
    this.webhookDeliveries = new Counter({
      name: 'metaloop_report_webhook_deliveries_total',
      help: 'Report alert webhook calls (REPORT_WEBHOOK_URL) by outcome (success, failure)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }
}
