import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  analyzeRequestSchema,
  analyzeResponseSchema,
  type AnalyzeRequest,
  type AnalyzeResponse,
} from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { AnalysisService } from './analysis.service';

@ApiTags('oracle')
@Controller('api/v1/oracle/analyze')
export class AnalysisController {
  constructor(private readonly analysis: AnalysisService) {}

  @Post()
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Analyze the last time_window_hours against the baseline before them and record the findings',
    description:
      'Reads per-minute and hourly rollups per agent and revision, never raw events: `event_limit` is accepted and ' +
      'ignored, since the cost grows with agents × time, not with events. Findings are deduplicated: an open problem is counted ' +
      'again (occurrences, last_seen_at), a resolved one that recurs is reopened. All tests of one analysis are corrected together ' +
      '(Benjamini–Hochberg).',
  })
  @ApiResponse({ status: 200, standardSchema: analyzeResponseSchema })
  analyze(@Body({ schema: analyzeRequestSchema }) body: AnalyzeRequest): Promise<AnalyzeResponse> {
    return this.analysis.analyze(body);
  }
}
