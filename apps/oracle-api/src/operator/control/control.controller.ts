import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import { actorOf } from '@metaloop/control';
import {
  freezeRequestSchema,
  freezeResponseSchema,
  rollbackRequestSchema,
  rollbackResultSchema,
  type FreezeRequest,
  type FreezeResponse,
  type RollbackRequest,
  type RollbackResult,
} from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { ControlService } from './control.service';

@ApiTags('oracle')
@Controller('api/v1/oracle')
export class ControlController {
  constructor(private readonly control: ControlService) {}

  @Post('rollback')
  @HttpCode(200)
  @RequireScopes('oracle:rollback')
  @Idempotent()
  @ApiOperation({
    summary: 'Roll back by rollback_key, rollout_id, agent_id or all: routing is back on stable when this answers',
    description:
      'Works with the orchestrator stopped: the routing flip (and config.changed) happens here, the adapter revert is queued for the orchestrator. The short form `{"rollback_key": "rollback_12345", "emergency": true}` works as it is; a selector naming nothing is a 404.',
  })
  @ApiResponse({ status: 200, standardSchema: rollbackResultSchema })
  @ApiResponse({ status: 404, description: 'No rollout has that rollback_key or id, or the agent is not registered' })
  rollback(
    @Body({ schema: rollbackRequestSchema }) body: RollbackRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RollbackResult> {
    return this.control.rollback(body, actorOf(principal));
  }

  @Post('freeze')
  @HttpCode(200)
  @RequireScopes('oracle:rollback')
  @Idempotent()
  @ApiOperation({
    summary: 'Freeze (no new rollouts, no further canary steps) or thaw',
    description:
      'Running canaries hold, or are rolled back at once when the policy says freeze.in_flight: rollback; hard thresholds still roll back while frozen.',
  })
  @ApiResponse({ status: 200, standardSchema: freezeResponseSchema })
  freeze(
    @Body({ schema: freezeRequestSchema }) body: FreezeRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FreezeResponse> {
    return this.control.setFreeze(body, actorOf(principal));
  }
}
