import { Injectable } from '@nestjs/common';
import type { PatternsRequest, PatternsResponse } from '@metaloop/contracts';
import { PolicyStore } from '@metaloop/policies';
import { DimensionsReader } from './dimensions.reader';
import { totalsOf } from './group-stats';
import { InsufficientSamplesError } from './insufficient-samples.error';
import { buildPatterns } from './patterns';

const HOUR_MS = 3_600_000;

/** Patterns of the last `days` days (seed 003's analyze), from the dimension rollups. */
@Injectable()
export class PatternsService {
  constructor(
    private readonly dimensions: DimensionsReader,
    private readonly policies: PolicyStore,
  ) {}

  async analyze(request: PatternsRequest, now = new Date()): Promise<PatternsResponse> {
    // Whole hours: the window starts at the hour the rollups start.
    const from = new Date(Math.floor((now.getTime() - request.days * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS);
    const contextKeys = [...new Set(['framework', ...(request.context_keys ?? [])])];
    const rows = await this.dimensions.sums(from, now, request.agent_id ?? null, contextKeys);
    const window = { from: from.toISOString(), to: now.toISOString() };
    const { samples } = totalsOf(rows);
    if (samples < request.min_samples)
      throw new InsufficientSamplesError(
        samples,
        request.min_samples,
        `from ${window.from} to ${window.to}${request.agent_id ? ` for agent "${request.agent_id}"` : ''}`,
      );
    return buildPatterns(rows, {
      window,
      agentId: request.agent_id ?? null,
      contextKeys,
      minSamples: request.min_samples,
      alpha: this.policies.current().policy.insights.reports.alpha,
    });
  }
}
