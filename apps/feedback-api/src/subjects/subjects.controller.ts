import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import { pathId, subjectMemoryResponseSchema, type SubjectMemoryResponse } from '@metaloop/contracts';
import { SubjectMemoryStore } from './subject-memory.store';

@ApiTags('subjects')
@Controller('api/v1/subjects')
export class SubjectsController {
  constructor(private readonly store: SubjectMemoryStore) {}

  @Get(':subject_id/memory')
  @RequireScopes('config:read')
  @ApiOperation({
    summary: 'What metaloop learned about an end user: history, goals, preferences and persona facets',
    description:
      'Learned at ingest from feedback carrying this subject_id (goals and preferences from explicit.selection). A subject nothing is known about answers 200 with no items. Export and erasure are on oracle-api (GET/DELETE /api/v1/subjects/{subject_id}).',
  })
  @ApiResponse({ status: 200, standardSchema: subjectMemoryResponseSchema })
  @ApiResponse({ status: 503, description: 'Postgres cannot be read now; problem+json with Retry-After' })
  memory(@Param('subject_id', { schema: pathId('subject_id') }) subjectId: string): Promise<SubjectMemoryResponse> {
    return this.store.memory(subjectId);
  }
}
