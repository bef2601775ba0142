import { Injectable } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { PLAN_STATUSES } from '@metaloop/contracts';
import { MetricsRegistry } from '@metaloop/observability';
import { Gauge } from 'prom-client';

/** Plans by status, counted in Postgres when Prometheus scrapes (every replica reports the same). */
@Injectable()
export class PlansMetrics {
  constructor(registry: MetricsRegistry, prisma: PrismaService) {
    new Gauge({
      name: 'metaloop_oracle_plans',
      help: 'Plans by status (awaiting_approval: waiting for a person), read from Postgres at scrape time',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const counts = await prisma.plan.groupBy({ by: ['status'], _count: { _all: true } }).catch(() => null);
        if (!counts) return;
        const byStatus = new Map(counts.map((c) => [c.status, c._count._all]));
        for (const status of PLAN_STATUSES) this.set({ status }, byStatus.get(status) ?? 0);
      },
    });
  }
}
