import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import { actorOf } from '@metaloop/control';
import {
  planDecisionSchema,
  planListQuerySchema,
  planListSchema,
  pathUuid,
  planViewSchema,
  type PlanDecision,
  type PlanList,
  type PlanListQuery,
  type PlanView,
} from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { PlansService } from './plans.service';

/** Any UUID: an id that names no plan is a 404 on every route, whatever its version. */
const planIdParam = { schema: pathUuid('plan_id') };

@ApiTags('oracle')
@Controller('api/v1/oracle/plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'Plans newest first, by status and agent; page on with cursor = next_cursor' })
  @ApiResponse({ status: 200, standardSchema: planListSchema })
  list(@Query({ schema: planListQuerySchema }) query: PlanListQuery): Promise<PlanList> {
    return this.plans.list(query);
  }

  @Get(':plan_id')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'One plan with its mutations, status and newest validation' })
  @ApiResponse({ status: 200, standardSchema: planViewSchema })
  get(@Param('plan_id', planIdParam) planId: string): Promise<PlanView> {
    return this.plans.get(planId);
  }

  @Post(':plan_id/approve')
  @HttpCode(200)
  @RequireScopes('oracle:execute')
  @Idempotent()
  @ApiOperation({ summary: 'Approve a plan awaiting approval (the gates asked for a person); execute then runs it' })
  @ApiResponse({ status: 200, standardSchema: planViewSchema })
  approve(
    @Param('plan_id', planIdParam) planId: string,
    @Body({ schema: planDecisionSchema }) body: PlanDecision,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PlanView> {
    return this.plans.approve(planId, actorOf(principal), body.reason);
  }

  @Post(':plan_id/reject')
  @HttpCode(200)
  @RequireScopes('oracle:execute')
  @Idempotent()
  @ApiOperation({
    summary: 'Reject a plan that has not run; its findings may be planned again, without what was rejected',
  })
  @ApiResponse({ status: 200, standardSchema: planViewSchema })
  reject(
    @Param('plan_id', planIdParam) planId: string,
    @Body({ schema: planDecisionSchema }) body: PlanDecision,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PlanView> {
    return this.plans.reject(planId, actorOf(principal), body.reason);
  }
}
