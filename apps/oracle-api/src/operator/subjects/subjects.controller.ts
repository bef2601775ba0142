import { Readable } from 'node:stream';
import { Controller, Delete, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import {
  isStorableText,
  pathId,
  subjectLogKindParam,
  subjectEraseResponseSchema,
  subjectExportSchema,
  subjectLogsQuerySchema,
  type SubjectEraseResponse,
  type SubjectExport,
  type SubjectLogKind,
  type SubjectLogsQuery,
} from '@metaloop/contracts';
import { actorOf } from '@metaloop/control';
import { z } from 'zod';
import { SubjectsService } from './subjects.service';

const eraseQuerySchema = z.strictObject({
  /** Recorded with the audit entry (e.g. the request's ticket). */
  reason: z.string().min(1).max(500).refine(isStorableText, 'must not hold NUL or unpaired surrogates').optional(),
});

/** What metaloop keeps about an end user (seed 002): a person can see all of it, and have it erased. */
@ApiTags('subjects')
@Controller('api/v1/subjects')
export class SubjectsController {
  constructor(private readonly subjects: SubjectsService) {}

  @Get(':subject_id')
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary: 'Everything kept about a subject (an end user): memory, persona facets, selection logs, persona updates',
    description:
      'The export a person may ask for. `feedback_events` counts the raw events still carrying the subject_id (kept for the retention period; their payloads are not repeated here). A subject nothing is known about answers 200 with nothing in it.',
  })
  @ApiResponse({ status: 200, standardSchema: subjectExportSchema })
  export(@Param('subject_id', { schema: pathId('subject_id') }) subjectId: string): Promise<SubjectExport> {
    return this.subjects.export(subjectId);
  }

  @Delete(':subject_id')
  @RequireScopes('oracle:write')
  @ApiOperation({
    summary:
      "Erase what is kept about a subject: memory, facets, selection and persona logs, and its raw events' personal fields",
    description:
      'In one transaction, audited as `subject.erased` (with the counts only): deletes the memory items, facets, selection logs and persona-update logs, and scrubs the subject’s raw feedback events (subject_id, artifacts, context, selection, correction and comment removed; a complaint’s text becomes "[erased]"; ratings and measurements stay for the rollups). Idempotent: erasing again answers zeros.',
  })
  @ApiResponse({ status: 200, standardSchema: subjectEraseResponseSchema })
  erase(
    @Param('subject_id', { schema: pathId('subject_id') }) subjectId: string,
    @Query({ schema: eraseQuerySchema }) query: z.output<typeof eraseQuerySchema>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SubjectEraseResponse> {
    return this.subjects.erase(subjectId, actorOf(principal), query.reason);
  }
}

/** Seed 002's training logs of every subject, as JSONL. */
@ApiTags('subjects')
@Controller('api/v1/subject-logs')
export class SubjectLogsController {
  constructor(private readonly subjects: SubjectsService) {}

  @Get(':kind')
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary:
      'Selection logs or persona-update logs as JSONL, one line per selection or persona update (the formats of hypotheses_data.jsonl and persona_updates.jsonl)',
    description:
      '`selections`: {timestamp, user_id, user_input, context {persona_facets, interaction_count, recent_goals, preferences}, hypotheses, selected_id, label}; `persona-updates`: {timestamp, user_id, old_facets, new_facets, facet_deltas, signals}. Oldest first, streamed; optionally of one agent and a window. Selections also export as DPO preference pairs through POST /api/v1/datasets with kind `preference`.',
  })
  @ApiResponse({ status: 200, description: 'JSONL (application/x-ndjson), one log line per line' })
  logs(
    @Param('kind', { schema: subjectLogKindParam }) kind: SubjectLogKind,
    @Query({ schema: subjectLogsQuerySchema }) query: SubjectLogsQuery,
  ): StreamableFile {
    return new StreamableFile(Readable.from(this.subjects.logLines(kind, query)), {
      type: 'application/x-ndjson',
      disposition: `attachment; filename="${kind === 'selections' ? 'hypotheses_data' : 'persona_updates'}.jsonl"`,
    });
  }
}
