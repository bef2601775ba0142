import { Injectable } from '@nestjs/common';
import { PrismaService, type Finding as FindingRow, type Prisma } from '@metaloop/db';
import { uuidv7, type Finding, type FindingListResponse, type FindingsQuery, type FindingStatus } from '@metaloop/events';
import type { FindingDraft } from '../analysis/finding-draft';
import { UPSERT_FINDINGS } from './findings.sql';

/** new: first seen; recurring: counted again while not resolved; reopened: resolved before, back now. */
export type FindingOutcome = 'new' | 'recurring' | 'reopened';

export interface RecordedFinding {
  finding: Finding;
  outcome: FindingOutcome;
}

type Sql = Pick<PrismaService, '$queryRawUnsafe'>;

/** The analyzer's findings in Postgres: one row per open problem (dedup_key), counted again, reopened on recurrence. */
@Injectable()
export class FindingsService {
  constructor(private readonly prisma: PrismaService) {}

  /** Records the drafts of one analysis (within the caller's transaction when `sql` is one). */
  async record(drafts: readonly FindingDraft[], now: Date, sql: Sql = this.prisma): Promise<RecordedFinding[]> {
    if (drafts.length === 0) return [];
    const input = [...drafts].sort((a, b) => (a.dedup_key < b.dedup_key ? -1 : a.dedup_key > b.dedup_key ? 1 : 0)).map((draft) => ({ id: uuidv7(), ...draft }));
    const rows = await sql.$queryRawUnsafe<Array<FindingRow & { priorStatus: FindingStatus | null }>>(UPSERT_FINDINGS, JSON.stringify(input), now.toISOString());
    return rows.map(({ priorStatus, ...row }) => ({
      finding: toFinding(row),
      outcome: priorStatus === null ? 'new' : priorStatus === 'resolved' ? 'reopened' : 'recurring',
    }));
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
  };
}
