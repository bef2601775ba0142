import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import { oracleStatusSchema, type OracleStatus } from '@metaloop/contracts';
import { StatusService } from './status.service';

@ApiTags('oracle')
@Controller('api/v1/oracle/status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary:
      'The control plane at a glance: freeze, policy version, last tick, open findings, plans, rollouts and the mutation budget',
  })
  @ApiResponse({ status: 200, standardSchema: oracleStatusSchema })
  get(): Promise<OracleStatus> {
    return this.status.status();
  }
}
