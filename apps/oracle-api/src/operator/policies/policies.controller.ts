import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import { policyStatusSchema, PolicyStore, type PolicyStatus } from '@metaloop/policies';

@ApiTags('policies')
@Controller('api/v1/oracle/policies')
export class PoliciesController {
  constructor(private readonly store: PolicyStore) {}

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary:
      'The effective policy (file + environment overrides), its version hash, source and load time, and the last refused reload',
  })
  @ApiResponse({ status: 200, standardSchema: policyStatusSchema })
  status(): PolicyStatus {
    return this.store.status();
  }
}
