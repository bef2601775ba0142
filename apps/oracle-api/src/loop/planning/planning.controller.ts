import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import { actorOf } from '@metaloop/control';
import { planRequestSchema, planResponseSchema, type PlanRequest, type PlanResponse } from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { PlanningService } from './planning.service';

@ApiTags('oracle')
@Controller('api/v1/oracle')
export class PlanningController {
  constructor(private readonly planning: PlanningService) {}

  @Post('plan')
  @HttpCode(201)
  @RequireScopes('oracle:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Plan typed mutations for findings',
    description:
      '`findings` may be the list or the whole `analysis` object `analyze` answered, or give stored `finding_ids`. At most one mutation per agent, from its registered candidates and rule patches; `plan` is null when nothing fits, and `skipped` says why for every finding left out.',
  })
  @ApiResponse({ status: 201, standardSchema: planResponseSchema })
  @ApiResponse({ status: 404, description: 'A `finding_ids` entry names no stored finding; problem+json naming them' })
  plan(
    @Body({ schema: planRequestSchema }) body: PlanRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PlanResponse> {
    return this.planning.plan(body, actorOf(principal));
  }
}
