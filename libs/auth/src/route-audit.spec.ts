import { All, Controller, Delete, Get, Module, Post, SetMetadata } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import { AuthModeService } from './auth-mode.service';
import { RequireScopes } from './decorators';
import { listRoutes, routesWithoutScopes } from './route-audit';
import { SCOPES_METADATA } from './scopes.metadata';

@Controller('plans')
@RequireScopes('oracle:read')
class PlansController {
  @Get()
  list(): void {}

  @Post(':id/approve')
  @RequireScopes('oracle:execute')
  approve(): void {}
}

@Controller(['status', 'v1/status'])
class StatusController {
  @Get()
  status(): void {}

  /** Metadata without the guard is not protection: the audit must call it public. */
  @Delete()
  @SetMetadata(SCOPES_METADATA, ['admin'])
  sneaky(): void {}

  @All('anything')
  @RequireScopes('admin')
  anything(): void {}

  helper(): void {}
}

const authStub = [{ provide: ApiKeysService, useValue: {} }, { provide: AuthModeService, useValue: {} }, ApiKeyGuard];

@Module({ controllers: [StatusController], providers: authStub })
class OpsModule {}

@Module({
  imports: [OpsModule, RouterModule.register([{ path: 'ops', module: OpsModule }])],
  controllers: [PlansController],
  providers: authStub,
})
class RootModule {}

describe('route audit', () => {
  it('lists every controller route with the scopes it needs, following controller, method and module paths', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RootModule] }).compile();
    const routes = listRoutes(moduleRef).map((r) => [r.method, r.path, r.scopes]);
    expect(routes).toEqual([
      ['DELETE', '/ops/status', null],
      ['GET', '/ops/status', null],
      ['ALL', '/ops/status/anything', ['admin']],
      ['DELETE', '/ops/v1/status', null],
      ['GET', '/ops/v1/status', null],
      ['ALL', '/ops/v1/status/anything', ['admin']],
      ['GET', '/plans', ['oracle:read']],
      ['POST', '/plans/:id/approve', ['oracle:execute']],
    ]);
    expect(routesWithoutScopes(moduleRef).map((r) => `${r.method} ${r.path} ${r.controller}.${r.handler}`)).toEqual([
      'DELETE /ops/status StatusController.sneaky',
      'GET /ops/status StatusController.status',
      'DELETE /ops/v1/status StatusController.sneaky',
      'GET /ops/v1/status StatusController.status',
    ]);
    await moduleRef.close();
  });

  it('refuses unknown scopes where the route is declared', () => {
    expect(() => RequireScopes('root' as never)).toThrow(/known scopes/);
  });
});
