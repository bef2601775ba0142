import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import { AuditLog } from '@metaloop/control';
import { auditPageSchema, auditQuerySchema, type AuditPage, type AuditQuery } from '@metaloop/contracts';

@ApiTags('oracle')
@Controller('api/v1/oracle/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary:
      'The audit trail newest first: every plan decision, rollout step, promotion, rollback, freeze and approval, with actor and reason',
    description:
      'Filter by agent_id, entity_type, entity_id, action, actor, since and until; page on with cursor = the previous next_cursor.',
  })
  @ApiResponse({ status: 200, standardSchema: auditPageSchema })
  list(@Query({ schema: auditQuerySchema }) query: AuditQuery): Promise<AuditPage> {
    return this.audit.list(query);
  }
}
