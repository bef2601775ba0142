import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import {
  executePlanJobOptions,
  JOBS,
  QUEUES,
  type ExecutePlanJob,
  type ExecuteRequest,
  type ExecuteResponse,
  type PlanStatus,
  type ValidationResult,
} from '@metaloop/contracts';
import { PLAN, UNEXECUTED_PLAN_STATUSES } from '@metaloop/control';
import { traceField } from '@metaloop/observability/tracing';
import type { Queue } from 'bullmq';
import { PlansService } from '../plans/plans.service';
import { ValidationService } from '../validation/validation.service';
import { PlanRefusedError } from './plan-refused.error';

/** Plans not yet handed over; anything further along is refused as it is. */
const EXECUTABLE: readonly PlanStatus[] = UNEXECUTED_PLAN_STATUSES;

/** What came of handing a plan over: queued (or checked, on a dry run), or refused and why. */
export type Submission =
  | { outcome: 'accepted'; response: ExecuteResponse }
  | {
      outcome: 'needs_approval' | 'blocked' | 'not_executable';
      refusal: PlanRefusedError;
      validation?: ValidationResult;
    };

/**
 * Hands a plan to the orchestrator — only the stored plan (by its id, never a client's copy),
 * only after the SPEC gates pass again now (policy and state may have moved since `validate`),
 * and only approved when the gates ask for a person. The BullMQ job id is the plan id, so a
 * plan is queued at most once.
 */
@Injectable()
export class HandoffService {
  constructor(
    private readonly plans: PlansService,
    private readonly validation: ValidationService,
    @InjectQueue(QUEUES.plans) private readonly queue: Queue<ExecutePlanJob>,
  ) {}

  /** `POST execute`: the plan queued, or a 409 saying why not. */
  async execute(request: ExecuteRequest, actor: string): Promise<ExecuteResponse> {
    const submission = await this.submit(request.plan_id ?? request.plan!.plan_id, actor, request.dry_run);
    if (submission.outcome !== 'accepted') throw submission.refusal;
    return submission.response;
  }

  /** The same, answering a refusal instead of throwing it (the tick hands over many plans). */
  async submit(planId: string, actor: string, dryRun = false): Promise<Submission> {
    const view = await this.plans.get(planId);
    if (!EXECUTABLE.includes(view.status)) {
      return {
        outcome: 'not_executable',
        refusal: new PlanRefusedError(planId, `plan ${planId} is ${view.status}; it cannot be executed again`),
      };
    }
    const validation = await this.validation.evaluate(view, actor);
    if (!validation.overall_passed) {
      const failed = validation.gates.filter((g) => g.status === 'fail').map((g) => `${g.gate}: ${g.reason}`);
      return {
        outcome: 'blocked',
        validation,
        refusal: new PlanRefusedError(
          planId,
          `the SPEC gates refuse plan ${planId}: ${failed.join('; ')}`,
          validation.gates,
        ),
      };
    }
    if (validation.requires_approval && view.status !== PLAN.approved) {
      const refusal = new PlanRefusedError(
        planId,
        `plan ${planId} needs a person's approval first (POST /api/v1/oracle/plans/${planId}/approve)`,
        validation.gates,
      );
      return { outcome: 'needs_approval', validation, refusal };
    }
    const status: PlanStatus = validation.requires_approval ? PLAN.approved : PLAN.validated;
    if (dryRun)
      return { outcome: 'accepted', response: { plan_id: planId, status, dry_run: true, validation, job_id: null } };

    await this.plans.transition(planId, [PLAN.validated, PLAN.approved], PLAN.queued, { actor, action: 'plan.queued' });
    try {
      const job = await this.queue.add(
        JOBS.executePlan,
        { plan_id: planId, requested_by: actor, ...traceField() },
        executePlanJobOptions(planId),
      );
      return {
        outcome: 'accepted',
        response: { plan_id: planId, status: 'queued', dry_run: false, validation, job_id: job.id ?? planId },
      };
    } catch (error) {
      // Not handed over: the plan must not look queued.
      await this.plans.transition(planId, [PLAN.queued], status, {
        actor,
        action: 'plan.queue_failed',
        reason: (error as Error).message,
      });
      throw error;
    }
  }
}
