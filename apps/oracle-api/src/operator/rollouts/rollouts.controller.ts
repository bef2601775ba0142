import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  rolloutDetailSchema,
  rolloutListQuerySchema,
  rolloutListSchema,
  type RolloutDetail,
  type RolloutList,
  type RolloutListQuery,
} from '@metaloop/contracts';
import { RolloutsService } from './rollouts.service';

@ApiTags('oracle')
@Controller('api/v1/oracle/rollouts')
export class RolloutsController {
  constructor(private readonly rollouts: RolloutsService) {}

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'Rollouts newest first, by agent and status; page on with cursor = next_cursor' })
  @ApiResponse({ status: 200, standardSchema: rolloutListSchema })
  list(@Query({ schema: rolloutListQuerySchema }) query: RolloutListQuery): Promise<RolloutList> {
    return this.rollouts.list(query);
  }

  @Get(':rollout_id')
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary: 'One rollout with its decision history: every look, with the statistics, thresholds and action',
  })
  @ApiResponse({ status: 200, standardSchema: rolloutDetailSchema })
  get(@Param('rollout_id', new ParseUUIDPipe()) rolloutId: string): Promise<RolloutDetail> {
    return this.rollouts.get(rolloutId);
  }
}
