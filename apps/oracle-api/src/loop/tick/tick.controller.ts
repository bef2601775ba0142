import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import { tickRequestSchema, tickResultSchema, type TickRequest, type TickResult } from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { TickService } from './tick.service';

@ApiTags('oracle')
@Controller('api/v1/oracle')
export class TickController {
  constructor(private readonly ticks: TickService) {}

  @Post('tick')
  @HttpCode(200)
  @RequireScopes('oracle:execute')
  @Idempotent()
  @ApiOperation({
    summary: 'Run one tick now: analyze → plan → validate → execute',
    description:
      'No body needed (`curl -X POST .../tick`). One tick runs at a time across all replicas; a concurrent one answers `status: skipped` naming the running tick.',
  })
  @ApiResponse({ status: 200, standardSchema: tickResultSchema })
  tick(@Body({ schema: tickRequestSchema }) body: TickRequest): Promise<TickResult> {
    return this.ticks.tick('api', body ?? {});
  }
}
