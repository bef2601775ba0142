import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import type {
  PersonaUpdateLog,
  SelectionLog,
  SubjectEraseResponse,
  SubjectExport,
  SubjectLogKind,
  SubjectLogsQuery,
} from '@metaloop/contracts';
import { SUBJECT_MEMORY_CHANGED } from '@metaloop/contracts';
import { AuditLog } from '@metaloop/control';
import { memoryView, type Facets, type StoredItem } from '@metaloop/memory';
import { NatsEventsClient } from '@metaloop/messaging';
import { lastValueFrom } from 'rxjs';
import { PolicyStore } from '@metaloop/policies';
import { ExamplesService } from '../../loop/examples/examples.service';
import {
  COUNT_EVENTS,
  DELETE_FACETS,
  DELETE_MEMORY,
  DELETE_PERSONA_UPDATES,
  DELETE_SELECTION_LOGS,
  LOCK_SUBJECT,
  PERSONA_UPDATES_PAGE,
  SCRUB_EVENTS,
  SELECT_FACETS,
  SELECT_ITEMS,
  SELECTION_LOGS_PAGE,
  SUBJECT_PERSONA_UPDATES,
  SUBJECT_SELECTION_LOGS,
} from './subjects.sql';

const LOG_PAGE_ROWS = 5_000;

/** What a person may see and erase of what metaloop keeps about them (seed 002). */
@Injectable()
export class SubjectsService {
  private readonly logger = new Logger(SubjectsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly audit: AuditLog,
    private readonly events: NatsEventsClient,
    private readonly examples: ExamplesService,
  ) {}

  /** Everything kept about the subject: memory, facets, selection logs, persona updates. */
  async export(subjectId: string): Promise<SubjectExport> {
    const [items, facetRows, selections, updates, events] = await Promise.all([
      this.prisma.$queryRawUnsafe<StoredItem[]>(SELECT_ITEMS, subjectId),
      this.prisma.$queryRawUnsafe<Array<{ name: string; value: number; updatedAt: Date }>>(SELECT_FACETS, subjectId),
      this.prisma.$queryRawUnsafe<Array<{ line: string }>>(SUBJECT_SELECTION_LOGS, subjectId),
      this.prisma.$queryRawUnsafe<Array<{ line: string }>>(SUBJECT_PERSONA_UPDATES, subjectId),
      this.prisma.$queryRawUnsafe<Array<{ n: number }>>(COUNT_EVENTS, subjectId),
    ]);
    const facets: Facets = Object.fromEntries(facetRows.map((row) => [row.name, row.value]));
    const facetsUpdatedAt = facetRows.reduce<Date | undefined>(
      (latest, row) => (!latest || row.updatedAt > latest ? row.updatedAt : latest),
      undefined,
    );
    const halfLife = this.policies.current().policy.memory.half_life_days;
    const now = new Date();
    return {
      subject_id: subjectId,
      exported_at: now.toISOString(),
      memory: memoryView(subjectId, items, facets, facetsUpdatedAt, halfLife, now),
      selection_logs: selections.map((row) => JSON.parse(row.line) as SelectionLog),
      persona_updates: updates.map((row) => JSON.parse(row.line) as PersonaUpdateLog),
      feedback_events: events[0]?.n ?? 0,
    };
  }

  /**
   * Erases the subject's memory, facets, logs and the examples made from its events, and scrubs its
   * raw events, audited (`subject.erased`), in one transaction.
   */
  async erase(subjectId: string, actor: string, reason: string | undefined): Promise<SubjectEraseResponse> {
    let exampleAgents: string[] = [];
    const erased = await this.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(LOCK_SUBJECT, subjectId);
      // Examples are found through the subject's events, so before those are scrubbed.
      const examples = await this.examples.deleteOfSubject(tx, subjectId);
      exampleAgents = examples.agentIds;
      const deleted = {
        memory_items: await tx.$executeRawUnsafe(DELETE_MEMORY, subjectId),
        facets: await tx.$executeRawUnsafe(DELETE_FACETS, subjectId),
        selection_logs: await tx.$executeRawUnsafe(DELETE_SELECTION_LOGS, subjectId),
        persona_updates: await tx.$executeRawUnsafe(DELETE_PERSONA_UPDATES, subjectId),
        examples: examples.deleted,
        events_scrubbed: await tx.$executeRawUnsafe(SCRUB_EVENTS, subjectId),
      };
      // The audit entry names the subject (the erasure's own record) and only counts, nothing that was erased.
      await this.audit.record(
        {
          actor,
          action: 'subject.erased',
          entityType: 'subject',
          entityId: subjectId,
          reason: reason ?? null,
          details: deleted,
        },
        tx,
      );
      return { subject_id: subjectId, deleted };
    });
    // feedback-api drops its cached context at once (it would expire within SUBJECT_CONTEXT_CACHE_MS anyway).
    await lastValueFrom(this.events.emit(SUBJECT_MEMORY_CHANGED, { subject_ids: [subjectId] }), {
      defaultValue: undefined,
    }).catch((error: Error) => this.logger.warn(`subject.memory.changed not published (${error.message})`));
    // feedback-api reloads those agents' examples, without the deleted ones (it resyncs every EXAMPLES_RESYNC_MS anyway).
    await this.examples.announceRemoved(exampleAgents);
    return erased;
  }

  /** Seed 002's training logs of every subject as JSONL lines, a page at a time (the export never sits in memory). */
  async *logLines(kind: SubjectLogKind, query: SubjectLogsQuery): AsyncGenerator<string> {
    const sql = kind === 'selections' ? SELECTION_LOGS_PAGE : PERSONA_UPDATES_PAGE;
    let after: { at: Date; id: string } | undefined;
    let left = query.limit;
    while (left > 0) {
      const rows = await this.prisma.$queryRawUnsafe<Array<{ line: string; occurred_at: Date; id: string }>>(
        sql,
        query.agent_id ?? null,
        query.from ?? null,
        query.to ?? null,
        after?.at ?? null,
        after?.id ?? null,
        Math.min(LOG_PAGE_ROWS, left),
      );
      for (const row of rows) yield `${row.line}\n`;
      left -= rows.length;
      if (rows.length < LOG_PAGE_ROWS) return;
      const last = rows[rows.length - 1]!;
      after = { at: last.occurred_at, id: last.id };
    }
  }
}
