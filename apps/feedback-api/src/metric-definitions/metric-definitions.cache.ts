import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService, type MetricValueType } from '@metaloop/db';
import { fieldError, type FieldError } from '@metaloop/platform';
import type { Env } from '../config/env.schema';

/**
 * The metric definitions feedback `metrics` are checked against, kept in memory: reloaded
 * when oracle-api announces a change on `metrics.changed`, every refresh interval anyway
 * (a lost message only delays), and once more before an unknown name is rejected.
 */
@Injectable()
export class MetricDefinitionsCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MetricDefinitionsCache.name);
  private types = new Map<string, MetricValueType>();
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private lastReload = 0;

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(
      () =>
        void this.reload().catch((error: Error) =>
          this.logger.warn(`metric definitions reload failed: ${error.message}`),
        ),
      this.config.get('METRIC_DEFINITIONS_REFRESH_MS', { infer: true }),
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** `metrics.changed`: oracle-api defined a metric; reload now rather than at the next refresh. */
  async onChanged(): Promise<void> {
    await this.reload().catch((error: Error) => this.logger.warn(`metric definitions reload failed: ${error.message}`));
  }

  /** Field errors of an event's `metrics` (unknown name, wrong type); empty when all are fine. */
  async check(
    metrics: Record<string, number | boolean> | undefined,
    path: ReadonlyArray<string | number> = ['metrics'],
  ): Promise<FieldError[]> {
    if (!metrics) return [];
    if (Object.keys(metrics).some((name) => !this.types.has(name))) await this.reloadAtMostEverySecond();
    const errors: FieldError[] = [];
    for (const [name, value] of Object.entries(metrics)) {
      const type = this.types.get(name);
      if (!type)
        errors.push(fieldError([...path, name], `unknown metric "${name}"; define it first with POST /api/v1/metrics`));
      else if (type === 'boolean' && typeof value !== 'boolean')
        errors.push(fieldError([...path, name], `metric "${name}" is boolean`));
      else if (type === 'float' && typeof value !== 'number')
        errors.push(fieldError([...path, name], `metric "${name}" is a number (float)`));
    }
    return errors;
  }

  private reload(): Promise<void> {
    this.reloading ??= this.prisma.metricDefinition
      .findMany({ select: { name: true, type: true } })
      .then((rows) => {
        this.types = new Map(rows.map((row) => [row.name, row.type]));
        this.lastReload = Date.now();
      })
      .finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadAtMostEverySecond(): Promise<void> {
    if (Date.now() - this.lastReload < 1_000) return;
    await this.reload().catch((error: Error) => this.logger.warn(`metric definitions reload failed: ${error.message}`));
  }
}
