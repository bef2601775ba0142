import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  dlqListQuerySchema,
  dlqListResponseSchema,
  dlqReplayResponseSchema,
  dlqReplaySchema,
  type DlqListQuery,
  type DlqListResponse,
  type DlqReplayRequest,
  type DlqReplayResponse,
} from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { DeadLettersService } from './dead-letters.service';

@ApiTags('dead letters')
@Controller('api/v1/oracle/dlq')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'List dead letters in stream order; page with after_seq = the previous next_after_seq' })
  @ApiResponse({ status: 200, standardSchema: dlqListResponseSchema })
  @ApiResponse({ status: 503, description: 'NATS/JetStream unavailable; retry after Retry-After seconds' })
  list(@Query({ schema: dlqListQuerySchema }) query: DlqListQuery): Promise<DlqListResponse> {
    return this.deadLetters.list(query);
  }

  @Post('replay')
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Republish dead letters to their original subject and remove them from the DLQ' })
  @ApiResponse({ status: 200, standardSchema: dlqReplayResponseSchema })
  @ApiResponse({ status: 503, description: 'NATS/JetStream unavailable; retry after Retry-After seconds' })
  replay(@Body({ schema: dlqReplaySchema }) body: DlqReplayRequest): Promise<DlqReplayResponse> {
    return this.deadLetters.replay(body);
  }
}
