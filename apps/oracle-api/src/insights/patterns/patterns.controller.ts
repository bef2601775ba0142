import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  patternsRequestSchema,
  patternsResponseSchema,
  type PatternsRequest,
  type PatternsResponse,
} from '@metaloop/contracts';
import { PatternsService } from './patterns.service';

@ApiTags('oracle')
@Controller('api/v1/oracle/patterns')
export class PatternsController {
  constructor(private readonly patterns: PatternsService) {}

  @Post()
  @HttpCode(200)
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary: 'Feedback patterns of the last days: success rate, by tag, model, prompt version and context key',
    description:
      'Success is the policy’s insights.success (a complaint, then thumbs, then rating ≥ 4, then implicit success). Each group is ' +
      'tested against the rest of the window (two-sided two-proportion z); success/failure features are tags and context values ' +
      'over-represented among successes or failures (Benjamini–Hochberg adjusted). Read from hourly dimension rollups, never raw ' +
      'events. Fewer samples than min_samples is a 422 naming both counts.',
  })
  @ApiResponse({ status: 200, standardSchema: patternsResponseSchema })
  @ApiResponse({ status: 422, description: 'Too few samples in the window (samples, min_samples); problem+json' })
  analyze(@Body({ schema: patternsRequestSchema }) body: PatternsRequest): Promise<PatternsResponse> {
    return this.patterns.analyze(body);
  }
}
