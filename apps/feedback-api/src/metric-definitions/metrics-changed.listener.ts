import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CORE_SUBJECTS } from '@metaloop/contracts';
import { MetricDefinitionsCache } from './metric-definitions.cache';

/** `metrics.changed` from oracle-api: a hint to reload the definitions (the message carries no state). */
@Controller()
export class MetricsChangedListener {
  constructor(private readonly cache: MetricDefinitionsCache) {}

  @EventPattern(CORE_SUBJECTS.metricsChanged)
  async onMetricsChanged(@Payload() _message: unknown): Promise<void> {
    await this.cache.onChanged();
  }
}
