import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { ConfigService } from '@nestjs/config';
import { QUEUES, type ExecutePlanJob } from '@metaloop/contracts';
import { RedisService, ResilientWorkerHost } from '@metaloop/messaging';
import { inSpan, spanContextOf, SpanKind } from '@metaloop/observability/tracing';
import type { Job } from 'bullmq';
import type { Env } from '../config/env.schema';
import { withRetries } from '../common/job-retry';
import { PlanExecutionService, type PlanExecutionResult } from './plan-execution.service';

/** The plans queue's worker (jobs from oracle-api's execute, job id = plan id). */
@Processor(QUEUES.plans)
export class PlanExecutionProcessor extends ResilientWorkerHost {
  constructor(
    private readonly execution: PlanExecutionService,
    private readonly config: ConfigService<Env, true>,
    redis: RedisService,
  ) {
    super(redis);
  }

  /** Each attempt is a span continuing the trace the plan was queued in (job data `trace`). */
  process(job: Job<ExecutePlanJob>, token?: string): Promise<PlanExecutionResult> {
    const { plan_id, trace } = job.data;
    return inSpan(
      'plan execute',
      {
        kind: SpanKind.CONSUMER,
        from: [spanContextOf(trace)],
        attributes: { 'metaloop.plan_id': plan_id, 'metaloop.attempt': job.attemptsMade + 1 },
      },
      () => this.attempt(job, token),
    );
  }

  private attempt(job: Job<ExecutePlanJob>, token?: string): Promise<PlanExecutionResult> {
    const { plan_id, requested_by } = job.data;
    return withRetries(
      job,
      token,
      {
        baseMs: this.config.get('JOB_RETRY_BASE_MS', { infer: true }),
        maxMs: this.config.get('JOB_RETRY_MAX_MS', { infer: true }),
        maxAttempts: this.config.get('PLAN_MAX_ATTEMPTS', { infer: true }),
      },
      () => this.execution.execute(plan_id, requested_by),
      (error) => this.execution.giveUp(plan_id, error, requested_by),
    );
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<ExecutePlanJob> | undefined, error: Error): void {
    this.logger.warn(`plan ${job?.data.plan_id ?? '?'} failed: ${error.message}`);
  }
}
