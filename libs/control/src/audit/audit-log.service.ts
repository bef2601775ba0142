import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type AuditEntry } from '@metaloop/db';
import type { AuditEntryView, AuditPage, AuditQuery } from '@metaloop/contracts';

export interface AuditRecord {
  actor: string;
  /** Dotted verb, e.g. `rollout.rolled_back`, `plan.approved`, `freeze.on`. */
  action: string;
  entityType: string;
  entityId: string;
  agentId?: string | null;
  reason?: string | null;
  details?: Prisma.InputJsonValue;
}

type Db = Prisma.TransactionClient | PrismaService;

/**
 * The append-only audit trail. Pass the transaction of the state change being audited, so the
 * change and its entry commit together or not at all.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly prisma: PrismaService) {}

  async record(entry: AuditRecord, db: Db = this.prisma): Promise<void> {
    await db.auditEntry.create({
      data: {
        actor: entry.actor,
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId,
        agentId: entry.agentId ?? null,
        reason: entry.reason ?? null,
        details: entry.details ?? Prisma.DbNull,
      },
    });
  }

  /** Newest first; `next_cursor` pages to older entries. */
  async list(query: AuditQuery): Promise<AuditPage> {
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        agentId: query.agent_id,
        entityType: query.entity_type,
        entityId: query.entity_id,
        action: query.action,
        actor: query.actor,
        at: {
          gte: query.since ? new Date(query.since) : undefined,
          lt: query.until ? new Date(query.until) : undefined,
        },
        id: query.cursor ? { lt: BigInt(query.cursor) } : undefined,
      },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(auditView),
      next_cursor: rows.length > query.limit ? page[page.length - 1]!.id.toString() : null,
    };
  }
}

export function auditView(row: AuditEntry): AuditEntryView {
  return {
    id: row.id.toString(),
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    entity_type: row.entityType,
    entity_id: row.entityId,
    agent_id: row.agentId,
    reason: row.reason,
    details: row.details ?? null,
  };
}
