import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma } from '@metaloop/db';
import { AuditLog } from '../audit/audit-log.service';
import {
  EXECUTING_PLAN_STATUSES,
  LIVE_ROLLOUT_STATUSES,
  MUTATION,
  PLAN,
  UNFINISHED_MUTATION_STATUSES,
  type MutationState,
  type PlanState,
} from './lifecycle-states';
import { planOutcome, releaseUnfixedFindings } from './plan-settlement';
import { inTransaction, type Tx } from './transaction';
import { assertTransition } from './transitions';

/** A plan as proposed: stored as a draft, its mutations pending in the order given. */
export interface PlanDraft {
  source: string;
  findingIds: string[];
  confidence: number;
  risk: number;
  expectedImpact: Prisma.InputJsonValue;
  rationale: string;
  evidence: Prisma.InputJsonValue;
  mutations: Array<Omit<Prisma.MutationCreateWithoutPlanInput, 'id' | 'status'>>;
}

/** The audit entry of a plan's move (entity: the plan); `decided` also records who decided and why on the plan. */
export interface PlanMoveNote {
  actor: string;
  action: string;
  reason?: string;
  details?: Prisma.InputJsonValue;
  decided?: boolean;
  /** The caller's other writes of the move (e.g. findings), after the plan's row and before its audit entry. */
  alongside?: (tx: Tx) => Promise<void>;
}

export interface UnstartedMutation {
  id: string;
  planId: string;
  agentId: string;
  type: string;
}

/**
 * The only writer of plan and mutation rows: creation, every status change as a compare-and-set
 * against the states the transition table allows, each with its audit entry in the same
 * transaction, and a plan's settlement once its mutations finished.
 */
@Injectable()
export class PlanLifecycle {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditLog,
  ) {}

  /** Stores a plan as a draft with its mutations in order, audited `plan.created`; the id is ours. */
  async create<I extends Prisma.PlanInclude>(
    draft: PlanDraft,
    actor: string,
    options: { include: I; alongside?: (tx: Tx) => Promise<void> },
    tx?: Tx,
  ): Promise<Prisma.PlanGetPayload<{ include: I }>> {
    return inTransaction(this.prisma, tx, async (db) => {
      const { mutations, ...plan } = draft;
      const created = await db.plan.create<{ data: Prisma.PlanCreateInput; include: I }>({
        data: { status: PLAN.draft, ...plan, createdBy: actor, mutations: { create: mutations } },
        include: options.include,
      });
      await options.alongside?.(db);
      await this.audit.record(
        {
          actor,
          action: 'plan.created',
          entityType: 'plan',
          entityId: created.id,
          reason: draft.rationale.slice(0, 500),
          details: { source: draft.source, mutations: mutations.length, risk: draft.risk },
        },
        db,
      );
      return created;
    });
  }

  /**
   * Moves a plan from `from` (one state, or any of several) to `to` if it is still there; false
   * when it is not (another replica or person moved it first), and then nothing is written.
   */
  async move(
    planId: string,
    from: PlanState | readonly PlanState[],
    to: PlanState,
    note: PlanMoveNote,
    tx?: Tx,
  ): Promise<boolean> {
    assertTransition('plan', typeof from === 'string' ? [from] : from, to);
    return inTransaction(this.prisma, tx, async (db) => {
      const { count } = await db.plan.updateMany({
        where: { id: planId, status: typeof from === 'string' ? from : { in: [...from] } },
        data: { status: to, ...(note.decided ? { decidedBy: note.actor, decisionReason: note.reason ?? null } : {}) },
      });
      if (count === 0) return false;
      await note.alongside?.(db);
      await this.audit.record(
        {
          actor: note.actor,
          action: note.action,
          entityType: 'plan',
          entityId: planId,
          reason: note.reason,
          details: note.details,
        },
        db,
      );
      return true;
    });
  }

  /**
   * Where a validation leaves a plan that was `from` when the gates read it, in the validation's
   * transaction, whose own audit entry (`plan.validated`) records the verdict. Compare-and-set:
   * false, and nothing written, when the plan moved on meanwhile (a concurrent execute queued it),
   * so a late verdict never moves a plan back.
   */
  async recordVerdict(tx: Tx, planId: string, from: PlanState, to: PlanState): Promise<boolean> {
    assertTransition('plan', [from], to);
    const { count } = await tx.plan.updateMany({ where: { id: planId, status: from }, data: { status: to } });
    return count > 0;
  }

  /**
   * Called in the transaction that finished one of a plan's mutations: the findings of agents
   * left unfixed are released, and once every mutation has finished the plan moves out of
   * `queued`/`executing` (completed or failed, audited `plan.<status>`). Exactly one caller settles it.
   */
  async settle(tx: Tx, planId: string | null, actor: string): Promise<void> {
    if (!planId) return;
    const mutations = await tx.mutation.findMany({ where: { planId }, select: { status: true, agentId: true } });
    await releaseUnfixedFindings(tx, planId, mutations);
    const outcome = planOutcome(mutations);
    if (!outcome) return;
    await this.move(
      planId,
      EXECUTING_PLAN_STATUSES,
      outcome.status,
      { actor, action: `plan.${outcome.status}`, reason: outcome.reason, details: outcome.tally },
      tx,
    );
  }

  /** A mutation that never got a rollout: refused (`skipped`: freeze, budget, a moved stable revision) or `failed`, audited, its plan settled. */
  async closeUnstarted(
    mutation: UnstartedMutation,
    status: typeof MUTATION.skipped | typeof MUTATION.failed,
    reason: string,
    actor: string,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await this.setMutationStatus(tx, mutation.id, status);
      await this.audit.record(
        {
          actor,
          action: status === MUTATION.skipped ? 'mutation.refused' : 'mutation.failed',
          entityType: 'mutation',
          entityId: mutation.id,
          agentId: mutation.agentId,
          reason,
          details: { plan_id: mutation.planId, mutation_type: mutation.type },
        },
        tx,
      );
      await this.settle(tx, mutation.planId, actor);
    });
  }

  /**
   * A mutation's status by id, in the transaction of its rollout's move: that compare-and-set is
   * the guard (the row is written as before, whatever it holds).
   */
  async setMutationStatus(tx: Tx, mutationId: string, to: MutationState): Promise<void> {
    await tx.mutation.update({ where: { id: mutationId }, data: { status: to } });
  }

  /** A plan given up: its mutations not finished and without a live canary become `failed`. */
  async failUnfinishedMutations(tx: Tx, planId: string): Promise<void> {
    await tx.mutation.updateMany({
      where: {
        planId,
        status: { in: [...UNFINISHED_MUTATION_STATUSES] },
        rollouts: { none: { status: { in: [...LIVE_ROLLOUT_STATUSES] } } },
      },
      data: { status: MUTATION.failed },
    });
  }
}
