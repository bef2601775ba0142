import { ConflictException, Injectable } from '@nestjs/common';
import { AuditLog, PAST_VALIDATION_PLAN_STATUSES, PLAN, PlanLifecycle } from '@metaloop/control';
import { PrismaService, type Prisma } from '@metaloop/db';
import { GATE_NAMES, type PlanStatus, type PlanView, type ValidationResult } from '@metaloop/contracts';
import { PolicyStore, validatePlan } from '@metaloop/policies';
import { FindingsService } from '../findings/findings.service';
import { PLAN_INCLUDE, planOf, validationView } from '../plans/plan-view';
import { PlansService } from '../plans/plans.service';
import { GateStateReader } from './gate-state.reader';
import { ValidationMetrics } from './validation.metrics';

/** Plans that have left the validation stage: validating them again changes nothing. */
const SETTLED: readonly PlanStatus[] = PAST_VALIDATION_PLAN_STATUSES;

/** A validation's outcome, and where it leaves the plan. */
function verdict(
  result: { overall_passed: boolean; requires_approval: boolean },
  current: PlanStatus,
): { outcome: 'passed' | 'needs_approval' | 'blocked'; status: PlanStatus } {
  if (!result.overall_passed) return { outcome: 'blocked', status: PLAN.blocked };
  if (!result.requires_approval) return { outcome: 'passed', status: PLAN.validated };
  // An approval stays valid as long as the gates ask for nothing more than approval.
  return { outcome: 'needs_approval', status: current === PLAN.approved ? PLAN.approved : PLAN.awaiting_approval };
}

/**
 * Runs the SPEC gates over a stored plan and keeps the decision record: the policy version, the
 * state the gates saw and every gate's result, with an audit entry. The plan moves to validated,
 * awaiting_approval or blocked.
 */
@Injectable()
export class ValidationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly plans: PlansService,
    private readonly lifecycle: PlanLifecycle,
    private readonly policies: PolicyStore,
    private readonly gateState: GateStateReader,
    private readonly audit: AuditLog,
    private readonly metrics: ValidationMetrics,
    private readonly findings: FindingsService,
  ) {}

  async validate(planId: string, actor: string): Promise<ValidationResult> {
    const view = await this.plans.get(planId);
    if (SETTLED.includes(view.status))
      throw new ConflictException(`plan ${planId} is ${view.status}; it can no longer be validated`);
    return this.evaluate(view, actor);
  }

  /** Validates and records, whatever the plan's status (execute re-checks a queued-to-be plan with it). */
  async evaluate(view: PlanView, actor: string): Promise<ValidationResult> {
    const { policy, version } = this.policies.current();
    const plan = planOf(view);
    const state = await this.gateState.read(policy, plan);
    const result = validatePlan(policy, plan, state);
    const { outcome, status } = verdict(result, view.status);
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.validation.create({
        data: {
          planId: view.plan_id,
          policyVersion: version,
          inputs: { state, plan_status: view.status } as unknown as Prisma.InputJsonValue,
          overallPassed: result.overall_passed,
          requiresApproval: result.requires_approval,
          gates: {
            create: result.gates.map((g) => ({
              gate: g.gate,
              status: g.status,
              reason: g.reason,
              details: (g.details ?? undefined) as Prisma.InputJsonValue | undefined,
            })),
          },
        },
        include: PLAN_INCLUDE.validations.include,
      });
      if (
        !SETTLED.includes(view.status) &&
        (await this.lifecycle.recordVerdict(tx, view.plan_id, view.status, status))
      ) {
        // A blocked plan gives its findings back to the tick; one that passes again takes them back.
        if (status === PLAN.blocked) await this.findings.release(view.finding_ids, tx);
        else if (view.status === PLAN.blocked) await this.findings.claim(view.finding_ids, tx);
      }
      await this.audit.record(
        {
          actor,
          action: 'plan.validated',
          entityType: 'plan',
          entityId: view.plan_id,
          reason: outcome,
          details: {
            validation_id: created.id,
            policy_version: version,
            failed: result.gates.filter((g) => g.status !== 'pass').map((g) => g.gate),
          },
        },
        tx,
      );
      return created;
    });
    this.metrics.record(result.gates, outcome);
    return validationView(row, GATE_NAMES);
  }
}
