import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from '@metaloop/adapters';
import type { Report } from '@metaloop/contracts';
import type { Env } from '../../config/env.schema';
import { ReportsMetrics } from './reports.metrics';

/**
 * Calls REPORT_WEBHOOK_URL with an alerting report, signed like the trainer webhook
 * (`x-metaloop-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
 * `x-metaloop-delivery: <report id>`). One attempt: a failure is logged and counted, never
 * fails the report (the alert metric has already been raised).
 */
@Injectable()
export class ReportWebhook {
  private readonly logger = new Logger(ReportWebhook.name);

  constructor(
    private readonly config: ConfigService<Env, true>,
    private readonly metrics: ReportsMetrics,
  ) {}

  async notify(report: Report): Promise<boolean> {
    const url = this.config.get('REPORT_WEBHOOK_URL', { infer: true });
    const secret = this.config.get('REPORT_WEBHOOK_SECRET', { infer: true });
    if (!url || !secret) return false;
    const body = JSON.stringify({ event: 'report.success_drop', report });
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
          [DELIVERY_HEADER]: report.report_id,
        },
        body,
        signal: AbortSignal.timeout(this.config.get('REPORT_WEBHOOK_TIMEOUT_MS', { infer: true })),
      });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      this.metrics.webhookDeliveries.inc({ outcome: 'success' });
      return true;
    } catch (error) {
      this.metrics.webhookDeliveries.inc({ outcome: 'failure' });
      this.logger.warn(`report webhook for ${report.report_id} failed: ${(error as Error).message}`);
      return false;
    }
  }
}
