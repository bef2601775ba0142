import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AuditLog } from '@metaloop/control';
import { PrismaService, type Prisma } from '@metaloop/db';
import { GATE_NAMES, planSchema, type PlanInput, type PlanList, type PlanListQuery, type PlanStatus, type PlanView } from '@metaloop/contracts';
import { FindingsService } from '../findings/findings.service';
import { mutationData, PLAN_INCLUDE, planView } from './plan-view';

/** Plans not yet handed to the orchestrator: they expire when nobody executes them in time. */
const UNEXECUTED: PlanStatus[] = ['draft', 'validated', 'blocked', 'awaiting_approval', 'approved'];

/** Plans as stored: created by `plan` (or a posted plan at `validate`), decided by people, run by the orchestrator. */
@Injectable()
export class PlansService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditLog,
    private readonly findings: FindingsService,
  ) {}

  /** Stores a plan as a draft with its mutations in order; the id is ours, never the client's. */
  async create(input: PlanInput, actor: string): Promise<PlanView> {
    const plan = planSchema.parse(input);
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.plan.create({
        data: {
          status: 'draft',
          source: plan.source,
          findingIds: plan.finding_ids,
          confidence: plan.confidence,
          risk: plan.risk,
          expectedImpact: plan.expected_impact as Prisma.InputJsonValue,
          rationale: plan.rationale,
          evidence: plan.evidence as Prisma.InputJsonValue,
          createdBy: actor,
          mutations: { create: plan.mutations.map((m, i) => mutationData(m, i)) },
        },
        include: PLAN_INCLUDE,
      });
      await this.findings.claim(plan.finding_ids, tx);
      await this.audit.record({ actor, action: 'plan.created', entityType: 'plan', entityId: created.id, reason: plan.rationale.slice(0, 500), details: { source: plan.source, mutations: plan.mutations.length, risk: plan.risk } }, tx);
      return created;
    });
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
    return { items: page.map((row) => planView(row, GATE_NAMES)), next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
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
      const { count } = await db.plan.updateMany({
        where: { id: planId, status: { in: [...from] } },
        data: { status: to, ...(audit.decided ? { decidedBy: audit.actor, decisionReason: audit.reason ?? null } : {}) },
      });
      if (count === 0) {
        const current = await db.plan.findUnique({ where: { id: planId }, select: { status: true } });
        if (!current) throw new NotFoundException(`plan ${planId} does not exist`);
        throw new ConflictException(`plan ${planId} is ${current.status}; only a plan that is ${from.join(' or ')} can become ${to}`);
      }
      await this.audit.record({ actor: audit.actor, action: audit.action, entityType: 'plan', entityId: planId, reason: audit.reason }, db);
    };
    if (tx) await run(tx);
    else await this.prisma.$transaction(run);
  }

  async approve(planId: string, actor: string, reason?: string): Promise<PlanView> {
    await this.transition(planId, ['awaiting_approval'], 'approved', { actor, action: 'plan.approved', reason, decided: true });
    return this.get(planId);
  }

  async reject(planId: string, actor: string, reason?: string): Promise<PlanView> {
    await this.transition(planId, ['draft', 'validated', 'blocked', 'awaiting_approval', 'approved'], 'rejected', { actor, action: 'plan.rejected', reason, decided: true });
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
    const stale = await this.prisma.plan.findMany({ where: { status: { in: UNEXECUTED }, createdAt: { lt: before } }, select: { id: true, status: true, findingIds: true } });
    const expired: string[] = [];
    for (const plan of stale) {
      await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.plan.updateMany({ where: { id: plan.id, status: plan.status }, data: { status: 'expired' } });
        if (count === 0) return;
        await this.findings.release(plan.findingIds, tx);
        await this.audit.record({ actor, action: 'plan.expired', entityType: 'plan', entityId: plan.id, reason: `${plan.status} for more than ${maxAgeMinutes} min (plans.expire_after_minutes)` }, tx);
        expired.push(plan.id);
      });
    }
    return expired;
  }
}
