import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import { actorOf } from '@metaloop/control';
import {
  executeRequestSchema,
  executeResponseSchema,
  type ExecuteRequest,
  type ExecuteResponse,
} from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { HandoffService } from './handoff.service';

@ApiTags('oracle')
@Controller('api/v1/oracle')
export class HandoffController {
  constructor(private readonly handoff: HandoffService) {}

  @Post('execute')
  @HttpCode(202)
  @RequireScopes('oracle:execute')
  @Idempotent()
  @ApiOperation({
    summary: 'Hand a validated (and, where required, approved) plan to the orchestrator',
    description:
      'Only the stored plan runs: with `{plan, dry_run}` the stored plan with that `plan_id` is used, never the client copy. The gates are checked again first; a refused plan is a 409 naming the gates. `dry_run` validates without queuing. A plan is queued once: of concurrent calls for one plan one answers 202 and the others 409 (the plan is queued); send an `Idempotency-Key` to get the same 202 again on a retry.',
  })
  @ApiResponse({ status: 202, standardSchema: executeResponseSchema })
  @ApiResponse({
    status: 409,
    description:
      'The plan is not executable now (status, gates or approval; already queued by a concurrent call), with the reason',
  })
  execute(
    @Body({ schema: executeRequestSchema }) body: ExecuteRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ExecuteResponse> {
    return this.handoff.execute(body, actorOf(principal));
  }
}
