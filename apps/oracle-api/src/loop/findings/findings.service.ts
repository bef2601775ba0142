import { Injectable } from '@nestjs/common';
import { PrismaService, type Finding as FindingRow, type Prisma } from '@metaloop/db';
import { uuidv7 } from '@metaloop/core';
import {
  type DeferralReason,
  type Finding,
  type FindingListResponse,
  type FindingsQuery,
  type FindingStatus,
} from '@metaloop/contracts';
import type { FindingDraft } from './finding-draft';
import {
  RESOLVE_CLEARED_FINDINGS,
  RESOLVE_UNSEEN_FINDINGS,
  SUPERSEDE_UNSERVED_FINDINGS,
  UPSERT_FINDINGS,
} from './findings.sql';

/** new: first seen; recurring: counted again while not resolved; reopened: resolved before, back now. */
export type FindingOutcome = 'new' | 'recurring' | 'reopened';

export interface RecordedFinding {
  finding: Finding;
  outcome: FindingOutcome;
}

type Sql = Pick<PrismaService, '$queryRawUnsafe'>;
type Db = Pick<PrismaService, 'finding'>;

/** A finding the tick left for later: why, in a word and in words. */
export interface Deferral {
  finding_id: string;
  reason: DeferralReason;
  detail: string;
}

/** Statuses a finding waits in until a plan takes it. */
const UNPLANNED: FindingStatus[] = ['open', 'deferred'];
const NOT_DEFERRED = { deferredReason: null, deferredDetail: null, deferredAt: null } as const;

/**
 * The analyzer's findings in Postgres and their life: one row per problem (dedup_key), counted
 * again, reopened on recurrence; planned when a plan takes it, released when that plan ends
 * without fixing it, deferred by the tick with the reason, closed when it stops holding.
 */
@Injectable()
export class FindingsService {
  constructor(private readonly prisma: PrismaService) {}

  /** Records the drafts of one analysis (within the caller's transaction when `sql` is one). */
  async record(drafts: readonly FindingDraft[], now: Date, sql: Sql = this.prisma): Promise<RecordedFinding[]> {
    if (drafts.length === 0) return [];
    const input = [...drafts]
      .sort((a, b) => (a.dedup_key < b.dedup_key ? -1 : a.dedup_key > b.dedup_key ? 1 : 0))
      .map((draft) => ({ id: uuidv7(), ...draft }));
    const rows = await sql.$queryRawUnsafe<Array<FindingRow & { priorStatus: FindingStatus | null }>>(
      UPSERT_FINDINGS,
      JSON.stringify(input),
      now.toISOString(),
    );
    return rows.map(({ priorStatus, ...row }) => ({
      finding: toFinding(row),
      outcome: priorStatus === null ? 'new' : priorStatus === 'resolved' ? 'reopened' : 'recurring',
    }));
  }

  /**
   * Closes what this analysis no longer sees: findings of the analyzed agents not detected again,
   * and findings nothing has seen since the window began (resolved), and findings about revisions
   * no longer served (superseded).
   */
  async closeStale(
    scope: {
      analyzedAgents: readonly string[];
      detectedKeys: readonly string[];
      windowFrom: Date;
      agentFilter?: readonly string[];
    },
    now: Date,
    sql: Sql = this.prisma,
  ): Promise<{ resolved: number; superseded: number }> {
    const at = now.toISOString();
    const cleared =
      scope.analyzedAgents.length > 0
        ? await sql.$queryRawUnsafe<unknown[]>(RESOLVE_CLEARED_FINDINGS, scope.analyzedAgents, scope.detectedKeys, at)
        : [];
    const unseen = await sql.$queryRawUnsafe<unknown[]>(
      RESOLVE_UNSEEN_FINDINGS,
      scope.windowFrom.toISOString(),
      scope.agentFilter ?? null,
      at,
    );
    const superseded = await sql.$queryRawUnsafe<unknown[]>(SUPERSEDE_UNSERVED_FINDINGS, at);
    return { resolved: cleared.length + unseen.length, superseded: superseded.length };
  }

  /** Every finding a plan may take: open, or deferred by an earlier tick (which re-checks them). */
  async unplanned(): Promise<Finding[]> {
    const rows = await this.prisma.finding.findMany({ where: { status: { in: UNPLANNED } }, orderBy: { id: 'asc' } });
    return rows.map(toFinding);
  }

  /** A plan took these: planned (from open or deferred). */
  async claim(ids: readonly string[], db: Db = this.prisma): Promise<void> {
    if (ids.length === 0) return;
    await db.finding.updateMany({
      where: { id: { in: [...ids] }, status: { in: UNPLANNED } },
      data: { status: 'planned', ...NOT_DEFERRED },
    });
  }

  /** Their plan ended without fixing them (blocked, rejected, expired): open again for a later plan. */
  async release(ids: readonly string[], db: Db = this.prisma): Promise<void> {
    if (ids.length === 0) return;
    await db.finding.updateMany({ where: { id: { in: [...ids] }, status: 'planned' }, data: { status: 'open' } });
  }

  /** The tick could not plan these now: deferred with the reason, re-checked by the next tick. */
  async defer(deferrals: readonly Deferral[], now: Date): Promise<void> {
    if (deferrals.length === 0) return;
    await this.prisma.$transaction(
      deferrals.map((d) =>
        this.prisma.finding.updateMany({
          where: { id: d.finding_id, status: { in: UNPLANNED } },
          data: {
            status: 'deferred',
            deferredReason: d.reason,
            deferredDetail: d.detail.slice(0, 500),
            deferredAt: now,
          },
        }),
      ),
    );
  }

  /** The stored findings among these ids (ids that are not UUIDs or not stored are left out). */
  async byIds(ids: readonly string[]): Promise<Finding[]> {
    const uuids = ids.filter((id) => UUID.test(id));
    if (uuids.length === 0) return [];
    const rows = await this.prisma.finding.findMany({ where: { id: { in: uuids } }, orderBy: { id: 'asc' } });
    return rows.map(toFinding);
  }

  /** Newest first (ids are UUIDv7, so by first sighting), filtered, a page at a time. */
  async list(query: FindingsQuery): Promise<FindingListResponse> {
    const where: Prisma.FindingWhereInput = {
      ...(query.agent_id ? { agentId: query.agent_id } : {}),
      ...(query.type ? { type: query.type } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.severity ? { severity: query.severity } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    };
    const rows = await this.prisma.finding.findMany({ where, orderBy: { id: 'desc' }, take: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(toFinding),
      next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toFinding(row: FindingRow): Finding {
  return {
    finding_id: row.id,
    type: row.type,
    agent_id: row.agentId,
    revision_id: row.revisionId,
    severity: row.severity,
    confidence: row.confidence,
    summary: row.summary,
    evidence: row.evidence as Finding['evidence'],
    dedup_key: row.dedupKey,
    status: row.status,
    occurrences: row.occurrences,
    first_seen_at: row.firstSeenAt.toISOString(),
    last_seen_at: row.lastSeenAt.toISOString(),
    deferred_reason: row.status === 'deferred' ? (row.deferredReason as DeferralReason | null) : null,
    deferred_detail: row.status === 'deferred' ? row.deferredDetail : null,
  };
}
