import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { PLAN_STATUSES } from '@metaloop/contracts';
import { MetricsRegistry, refreshEvery } from '@metaloop/observability';
import { Gauge } from 'prom-client';

/** How often the plan counts are read (a scrape every 15 s sees them at most this old). */
const REFRESH_MS = 5_000;

/**
 * Plans by status, counted in Postgres every REFRESH_MS off the scrape path, so a scrape never
 * waits for the database (every replica reports the same).
 */
@Injectable()
export class PlansMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly plans: Gauge<'status'>;
  private stopRefreshing?: () => void;

  constructor(
    registry: MetricsRegistry,
    private readonly prisma: PrismaService,
  ) {
    this.plans = new Gauge({
      name: 'metaloop_oracle_plans',
      help: 'Plans by status (awaiting_approval: waiting for a person), read from Postgres every few seconds',
      labelNames: ['status'],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    this.stopRefreshing = refreshEvery(REFRESH_MS, async () => {
      const counts = await this.prisma.plan.groupBy({ by: ['status'], _count: { _all: true } });
      const byStatus = new Map(counts.map((c) => [c.status, c._count._all]));
      for (const status of PLAN_STATUSES) this.plans.set({ status }, byStatus.get(status) ?? 0);
    });
  }

  onModuleDestroy(): void {
    this.stopRefreshing?.();
  }
}
