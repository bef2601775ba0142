import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  findingListResponseSchema,
  findingsQuerySchema,
  type FindingListResponse,
  type FindingsQuery,
} from '@metaloop/contracts';
import { FindingsService } from './findings.service';

@ApiTags('oracle')
@Controller('api/v1/oracle/findings')
export class FindingsController {
  constructor(private readonly findings: FindingsService) {}

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary:
      'List findings newest first, filtered by agent, type, status and severity; page on with cursor = the previous next_cursor',
  })
  @ApiResponse({ status: 200, standardSchema: findingListResponseSchema })
  list(@Query({ schema: findingsQuerySchema }) query: FindingsQuery): Promise<FindingListResponse> {
    return this.findings.list(query);
  }
}
