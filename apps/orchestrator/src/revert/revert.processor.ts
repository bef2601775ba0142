import { Processor } from '@nestjs/bullmq';
import { ConfigService } from '@nestjs/config';
import { JOBS, QUEUES, type RevertAdapterJob } from '@metaloop/contracts';
import { RedisService, ResilientWorkerHost } from '@metaloop/messaging';
import { inSpan, spanContextOf, SpanKind } from '@metaloop/observability/tracing';
import type { Job } from 'bullmq';
import type { Env } from '../config/env.schema';
import { withRetries } from '../common/job-retry';
import { RevertService } from './revert.service';

/** The reverts queue's worker: retried with backoff until the revert is done (or marked failed by the service). */
@Processor(QUEUES.reverts)
export class RevertProcessor extends ResilientWorkerHost {
  constructor(
    private readonly reverts: RevertService,
    private readonly config: ConfigService<Env, true>,
    redis: RedisService,
  ) {
    super(redis);
  }

  async process(job: Job<RevertAdapterJob>, token?: string): Promise<string | undefined> {
    if (job.name !== JOBS.revertAdapter) return undefined;
    const policy = {
      baseMs: this.config.get('JOB_RETRY_BASE_MS', { infer: true }),
      maxMs: this.config.get('JOB_RETRY_MAX_MS', { infer: true }),
      maxAttempts: Number.MAX_SAFE_INTEGER,
    };
    // Each attempt continues the trace of the rollback that queued it.
    return inSpan(
      'adapter revert',
      {
        kind: SpanKind.CONSUMER,
        from: [spanContextOf(job.data.trace)],
        attributes: { 'metaloop.rollout_id': job.data.rollout_id, 'metaloop.attempt': job.attemptsMade + 1 },
      },
      () =>
        withRetries(
          job,
          token,
          policy,
          () => this.reverts.revert(job.data.rollout_id),
          async () => undefined,
        ),
    );
  }
}
