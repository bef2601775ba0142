import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import { whoamiSchema, type Whoami } from './console.schema';

@ApiTags('operator')
@Controller('api/v1/auth')
export class ConsoleController {
  constructor(private readonly config: ConfigService) {}

  @Get('whoami')
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary: 'The calling API key: its name and scopes (the console hides what the key may not do)',
    description: 'Also names the Grafana base URL (GRAFANA_URL) the console links its dashboards to, or null.',
  })
  @ApiResponse({ status: 200, standardSchema: whoamiSchema })
  whoami(@CurrentPrincipal() principal: Principal): Whoami {
    return {
      key_id: principal.keyId,
      name: principal.name,
      scopes: [...principal.scopes],
      grafana_url: this.config.get<string>('GRAFANA_URL') ?? null,
    };
  }
}
