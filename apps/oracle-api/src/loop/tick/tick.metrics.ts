import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

export type TickOutcome = 'success' | 'failure' | 'skipped';

@Injectable()
export class TickMetrics implements OnApplicationBootstrap {
  readonly ticks: Counter<'outcome' | 'trigger'>;
  readonly duration: Histogram<'outcome'>;
  readonly stageDuration: Histogram<'stage' | 'outcome'>;
  readonly lastSuccess: Gauge;
  readonly plans: Counter<'status'>;
  readonly deferrals: Counter<'reason'>;

  constructor(
    registry: MetricsRegistry,
    private readonly prisma: PrismaService,
  ) {
    this.ticks = new Counter({
      name: 'metaloop_oracle_ticks_total',
      help: 'Oracle ticks by outcome (success, failure, skipped: another replica was ticking) and trigger (schedule, api)',
      labelNames: ['outcome', 'trigger'],
      registers: [registry],
    });
    // Known series from the start, so the first failure is an increase, not a new series.
    for (const outcome of ['success', 'failure', 'skipped'])
      for (const trigger of ['schedule', 'api']) this.ticks.inc({ outcome, trigger }, 0);
    this.duration = new Histogram({
      name: 'metaloop_oracle_tick_duration_seconds',
      help: 'Duration of a whole tick (analyze → plan → validate → execute), by outcome',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.stageDuration = new Histogram({
      name: 'metaloop_oracle_tick_stage_duration_seconds',
      help: 'Duration of each tick stage (analyze, plan, validate, execute), by its outcome',
      labelNames: ['stage', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.plans = new Counter({
      name: 'metaloop_oracle_tick_plans_total',
      help: 'Per-agent plans made by ticks, by where the tick left them (queued, awaiting_approval, blocked, validated on a dry run)',
      labelNames: ['status'],
      registers: [registry],
    });
    this.deferrals = new Counter({
      name: 'metaloop_oracle_tick_deferrals_total',
      help: 'Findings a tick left for a later one, by reason (budget, concurrency, cooldown, approval, agent_busy, freeze, gates, no_mutation)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.lastSuccess = new Gauge({
      name: 'metaloop_oracle_tick_last_success_timestamp_seconds',
      help: 'When the last successful tick finished (unix seconds), on any replica as recorded in Postgres at start, then by this replica',
      registers: [registry],
    });
  }

  /** From the ticks table, so a fresh replica does not look like the loop stopped. */
  async onApplicationBootstrap(): Promise<void> {
    const last = await this.prisma.tick
      .findFirst({ where: { status: 'succeeded' }, orderBy: { finishedAt: 'desc' }, select: { finishedAt: true } })
      .catch(() => null);
    if (last?.finishedAt) this.lastSuccess.set(last.finishedAt.getTime() / 1000);
  }

  /** What one tick did: its plans by status, its deferrals by reason. */
  recordWork(plans: ReadonlyArray<{ status: string }>, deferred: ReadonlyArray<{ reason: string }>): void {
    for (const p of plans) this.plans.inc({ status: p.status });
    for (const d of deferred) this.deferrals.inc({ reason: d.reason });
  }

  record(outcome: TickOutcome, trigger: string, seconds?: number): void {
    this.ticks.inc({ outcome, trigger });
    if (seconds === undefined) return;
    this.duration.observe({ outcome }, seconds);
    if (outcome === 'success') this.lastSuccess.set(Date.now() / 1000);
  }
}
