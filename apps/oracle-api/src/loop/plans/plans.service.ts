import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { PLAN, PlanLifecycle, UNEXECUTED_PLAN_STATUSES } from '@metaloop/control';
import { PrismaService, type Prisma } from '@metaloop/db';
import {
  GATE_NAMES,
  planSchema,
  type PlanInput,
  type PlanList,
  type PlanListQuery,
  type PlanStatus,
  type PlanView,
} from '@metaloop/contracts';
import { FindingsService } from '../findings/findings.service';
import { mutationData, PLAN_INCLUDE, planView } from './plan-view';

/** Plans as stored: created by `plan` (or a posted plan at `validate`), decided by people, run by the orchestrator. */
@Injectable()
export class PlansService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: PlanLifecycle,
    private readonly findings: FindingsService,
  ) {}

  /** Stores a plan as a draft with its mutations in order; the id is ours, never the client's. */
  async create(input: PlanInput, actor: string): Promise<PlanView> {
    const plan = planSchema.parse(input);
    const row = await this.lifecycle.create(
      {
        source: plan.source,
        findingIds: plan.finding_ids,
        confidence: plan.confidence,
        risk: plan.risk,
        expectedImpact: plan.expected_impact,
        rationale: plan.rationale,
        evidence: plan.evidence,
        mutations: plan.mutations.map((m, i) => mutationData(m, i)),
      },
      actor,
      { include: PLAN_INCLUDE, alongside: (tx) => this.findings.claim(plan.finding_ids, tx) },
    );
    return planView(row, GATE_NAMES);
  }

  async get(planId: string): Promise<PlanView> {
    const row = await this.prisma.plan.findUnique({ where: { id: planId }, include: PLAN_INCLUDE });
    if (!row) throw new NotFoundException(`plan ${planId} does not exist`);
    return planView(row, GATE_NAMES);
  }

  /** Newest first (ids are UUIDv7, so id order is creation order). */
  async list(query: PlanListQuery): Promise<PlanList> {
    const rows = await this.prisma.plan.findMany({
      where: {
        status: query.status,
        mutations: query.agent_id ? { some: { agentId: query.agent_id } } : undefined,
        id: query.cursor ? { lt: query.cursor } : undefined,
      },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
      include: PLAN_INCLUDE,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((row) => planView(row, GATE_NAMES)),
      next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
  }

  /**
   * Moves a plan from one of `from` to `to`, atomically (two replicas deciding at once: one
   * wins, the other gets a 409), with its audit entry.
   */
  async transition(
    planId: string,
    from: readonly PlanStatus[],
    to: PlanStatus,
    audit: { actor: string; action: string; reason?: string; decided?: boolean },
    tx?: Prisma.TransactionClient,
  ): Promise<void> {
    const run = async (db: Prisma.TransactionClient) => {
      if (await this.lifecycle.move(planId, from, to, audit, db)) return;
      const current = await db.plan.findUnique({ where: { id: planId }, select: { status: true } });
      if (!current) throw new NotFoundException(`plan ${planId} does not exist`);
      throw new ConflictException(
        `plan ${planId} is ${current.status}; only a plan that is ${from.join(' or ')} can become ${to}`,
      );
    };
    if (tx) await run(tx);
    else await this.prisma.$transaction(run);
  }

  async approve(planId: string, actor: string, reason?: string): Promise<PlanView> {
    await this.transition(planId, [PLAN.awaiting_approval], PLAN.approved, {
      actor,
      action: 'plan.approved',
      reason,
      decided: true,
    });
    return this.get(planId);
  }

  async reject(planId: string, actor: string, reason?: string): Promise<PlanView> {
    await this.transition(planId, UNEXECUTED_PLAN_STATUSES, PLAN.rejected, {
      actor,
      action: 'plan.rejected',
      reason,
      decided: true,
    });
    // The problem is still there: its findings can be planned again, without what was rejected.
    const { finding_ids } = await this.get(planId);
    await this.findings.release(finding_ids);
    return this.get(planId);
  }

  /**
   * Plans nobody handed to the orchestrator within `maxAgeMinutes` expire, each audited, and
   * their findings go back to the tick. Answers the ids expired.
   */
  async expireStale(maxAgeMinutes: number, actor: string, now = new Date()): Promise<string[]> {
    const before = new Date(now.getTime() - maxAgeMinutes * 60_000);
    const stale = await this.prisma.plan.findMany({
      where: { status: { in: [...UNEXECUTED_PLAN_STATUSES] }, createdAt: { lt: before } },
      select: { id: true, status: true, findingIds: true },
    });
    const expired: string[] = [];
    for (const plan of stale) {
      const moved = await this.lifecycle.move(plan.id, plan.status, PLAN.expired, {
        actor,
        action: 'plan.expired',
        reason: `${plan.status} for more than ${maxAgeMinutes} min (plans.expire_after_minutes)`,
        alongside: (tx) => this.findings.release(plan.findingIds, tx),
      });
      if (moved) expired.push(plan.id);
    }
    return expired;
  }
}
