import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Injectable,
  Logger,
  Module,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Res,
  Scope,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { GUARDS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import { ApiResponse } from '@nestjs/swagger';
import { baseEnvSchema, postgresEnv } from '@metaloop/config';
import {
  ApiKeyGuard,
  ApiKeysService,
  AuthModeService,
  AuthOptionsModule,
  CurrentPrincipal,
  listRoutes,
  RequireScopes,
  routesWithoutScopes,
  type Principal,
} from '@metaloop/auth';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '@metaloop/db';
import { scratchSchema, type ScratchSchema } from '@metaloop/testing';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { z } from 'zod';
import { createApp } from './bootstrap';
import { FastRoute } from './fast-route.decorator';

const itemQuerySchema = z.strictObject({
  verbose: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(10).optional(),
});
const newItemSchema = z.strictObject({
  name: z.string().min(1).max(20),
  size: z.object({ value: z.number().min(0).max(1) }),
});
const itemSchema = z.object({ item_id: z.string(), verbose: z.boolean(), caller: z.string() });

class UpstreamDown extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 2;
}

/**
 * The same controller twice: served by Nest (`/nest`) and as fast routes (`/fast`), so every
 * answer of one can be compared with the other's.
 */
function itemsController(path: 'nest' | 'fast'): Type {
  const fast: MethodDecorator = path === 'fast' ? FastRoute() : () => undefined;

  @Controller(path)
  class ItemsController {
    @Get('items/:item_id')
    @fast
    @RequireScopes('oracle:read')
    @Header('cache-control', 'no-store')
    @ApiResponse({ status: 200, standardSchema: itemSchema })
    get(
      @Param('item_id') itemId: string,
      @Query({ schema: itemQuerySchema }) query: z.infer<typeof itemQuerySchema>,
      @Res({ passthrough: true }) reply: FastifyReply,
      @CurrentPrincipal() principal: Principal,
    ): z.infer<typeof itemSchema> {
      void reply.header('x-item', itemId);
      return { item_id: itemId, verbose: query.verbose === 'true', caller: principal.name };
    }

    @Post('items')
    @fast
    @RequireScopes('oracle:write')
    @HttpCode(202)
    async create(@Body({ schema: newItemSchema }) body: z.infer<typeof newItemSchema>): Promise<{ accepted: string }> {
      await new Promise((resolve) => setImmediate(resolve));
      return { accepted: body.name };
    }

    @Get('items/:item_id/upstream')
    @fast
    @RequireScopes('oracle:read')
    upstream(): never {
      throw new UpstreamDown('NATS is unavailable: disconnected');
    }

    @Get('open')
    @fast
    open(): { ok: true } {
      return { ok: true };
    }
  }
  Object.defineProperty(ItemsController, 'name', { value: `${path === 'fast' ? 'Fast' : 'Nest'}ItemsController` });
  return ItemsController;
}

const envSchema = baseEnvSchema.extend(postgresEnv);
const PROBLEM = /^application\/problem\+json/;

/** As feedback-api's FAST_ROUTES: on compiles the fast routes, off leaves them to Nest. */
const fastRoutesSwitch = (enabled: boolean) => () => ({ enabled, offSwitch: 'FAST_ROUTES=off' });

async function startSpecApp(databaseUrl: string, fastRoutes: boolean): Promise<NestFastifyApplication> {
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'test',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
  });
  @Module({
    imports: [AuthOptionsModule.forRoot({ modeRefreshIntervalMs: 600_000 })],
    controllers: [itemsController('nest'), itemsController('fast')],
  })
  class SpecModule {}
  const app = await createApp({
    name: 'fast-route-spec',
    module: SpecModule,
    envSchema,
    uses: { postgres: true },
    description: 'fast route spec',
    bodyLimits: () => ({ default: 1024 }),
    fastRoutes: fastRoutesSwitch(fastRoutes),
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/*
 * With fast routes on, `/fast` runs the compiled handlers; off, the @FastRoute() mark is
 * ignored and Nest serves both twins. Either way every answer must be the same.
 */
describe.each([
  ['on', true],
  ['off', false],
])('@FastRoute() with fast routes %s: the same route as Nest serves it', (_mode, fastRoutes) => {
  const savedEnv = { ...process.env };
  let scratch: ScratchSchema;
  let app: NestFastifyApplication;
  let reader: string;
  let writer: string;

  beforeAll(async () => {
    scratch = await scratchSchema('fast_route');
    await migrate({ databaseUrl: scratch.url, migrationsDir: DEFAULT_MIGRATIONS_DIR });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    app = await startSpecApp(scratch.url, fastRoutes);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.close();
    await scratch?.drop();
    process.env = savedEnv;
  });

  /** One request to the Nest route and the same to the fast one. */
  async function both(
    method: 'GET' | 'POST',
    path: string,
    options: { key?: string; payload?: string; contentType?: string } = {},
  ) {
    const headers: Record<string, string> = { 'x-request-id': 'req-1' };
    if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
    if (options.payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const [nest, fast] = await Promise.all(
      ['nest', 'fast'].map((prefix) =>
        app.inject({
          method,
          url: `/${prefix}${path}`,
          headers,
          ...(options.payload !== undefined && { payload: options.payload }),
        }),
      ),
    );
    return { nest: nest!, fast: fast! };
  }

  /** Status, the headers the routes and the platform set, and the body with the route prefix taken out. */
  function answer(response: Awaited<ReturnType<NestFastifyApplication['inject']>>) {
    const picked = ['content-type', 'www-authenticate', 'retry-after', 'cache-control', 'x-item', 'x-request-id'];
    const headers = Object.fromEntries(
      picked.filter((name) => response.headers[name] !== undefined).map((name) => [name, response.headers[name]]),
    );
    return { status: response.statusCode, headers, body: response.body.replace(/\/(nest|fast)\//g, '/…/') };
  }

  async function expectSameAnswer(method: 'GET' | 'POST', path: string, options: Parameters<typeof both>[2] = {}) {
    const { nest, fast } = await both(method, path, options);
    expect(answer(fast)).toEqual(answer(nest));
    return fast;
  }

  it('lets anyone through as the anonymous admin while no key exists (open mode)', async () => {
    const fast = await expectSameAnswer('GET', '/items/abc?verbose=true');
    expect(fast.json()).toEqual({ item_id: 'abc', verbose: true, caller: 'anonymous' });
  });

  describe('with API keys enforced', () => {
    beforeAll(async () => {
      const keys = app.get(ApiKeysService);
      reader = (await keys.create({ name: 'reader', scopes: ['oracle:read'] })).key;
      writer = (await keys.create({ name: 'writer', scopes: ['oracle:write'] })).key;
      expect(await app.get(AuthModeService).refresh()).toBe(true);
    });

    it('answers the scoped caller, with the principal, @Header, the reply it was handed and the request id', async () => {
      const fast = await expectSameAnswer('GET', '/items/abc?verbose=true&limit=3', { key: reader });
      expect(fast.statusCode).toBe(200);
      expect(fast.json()).toEqual({ item_id: 'abc', verbose: true, caller: 'reader' });
      expect(fast.headers).toMatchObject({ 'x-item': 'abc', 'cache-control': 'no-store', 'x-request-id': 'req-1' });
    });

    it('answers no key with 401 and a Bearer challenge, a bad key with 401 invalid_token', async () => {
      const missing = await expectSameAnswer('GET', '/items/abc');
      expect(missing.statusCode).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="metaloop"');
      const invalid = await expectSameAnswer('GET', '/items/abc', { key: 'not-a-key' });
      expect(invalid.headers['www-authenticate']).toBe('Bearer realm="metaloop", error="invalid_token"');
    });

    it('answers a key without the scope with 403 naming it', async () => {
      const forbidden = await expectSameAnswer('POST', '/items', {
        key: reader,
        payload: JSON.stringify({ name: 'a', size: { value: 0.5 } }),
      });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.headers['content-type']).toMatch(PROBLEM);
      expect(forbidden.json().detail).toBe(
        'This route needs scope "oracle:write", which API key "reader" does not have.',
      );
    });

    it('validates query and body with their zod schemas: 400 problem+json with the field paths', async () => {
      const query = await expectSameAnswer('GET', '/items/abc?verbose=maybe&limit=11&extra=1', { key: reader });
      expect(query.statusCode).toBe(400);
      expect(
        query
          .json()
          .errors.map((e: { path: string }) => e.path)
          .sort(),
      ).toEqual(['', 'limit', 'verbose']);
      const body = await expectSameAnswer('POST', '/items', {
        key: writer,
        payload: JSON.stringify({ name: '', size: { value: 2 } }),
      });
      expect(body.statusCode).toBe(400);
      expect(body.json()).toMatchObject({ type: 'urn:metaloop:problem:validation-error', request_id: 'req-1' });
      expect(body.json().errors).toEqual([
        { path: 'name', pointer: '/name', message: expect.any(String) },
        { path: 'size.value', pointer: '/size/value', message: expect.any(String) },
      ]);
    });

    it('passes the parsed body on and answers with @HttpCode', async () => {
      const accepted = await expectSameAnswer('POST', '/items', {
        key: writer,
        payload: JSON.stringify({ name: 'a', size: { value: 0.5 } }),
      });
      expect(accepted.statusCode).toBe(202);
      expect(accepted.json()).toEqual({ accepted: 'a' });
    });

    it.each([
      ['malformed JSON', '{"name":', 'application/json', 400],
      ['another content type', 'name=a', 'text/plain', 415],
      [
        'a body over the limit',
        JSON.stringify({ name: 'x'.repeat(2048), size: { value: 0 } }),
        'application/json',
        413,
      ],
    ])('answers %s as every route does', async (_case, payload, contentType, status) => {
      const response = await expectSameAnswer('POST', '/items', { key: writer, payload, contentType });
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toMatch(PROBLEM);
    });

    it('answers errors that carry an HTTP status through the problem filter, with Retry-After', async () => {
      const response = await expectSameAnswer('GET', '/items/abc/upstream', { key: reader });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('2');
    });

    it('keeps a public route public and answers an empty path parameter with 404', async () => {
      expect((await expectSameAnswer('GET', '/open')).statusCode).toBe(200);
      expect((await expectSameAnswer('GET', '/items/', { key: reader })).statusCode).toBe(404);
    });

    it(
      fastRoutes
        ? 'runs the guard logic without Nest running ApiKeyGuard as a guard'
        : 'leaves the fast twin to Nest, which runs ApiKeyGuard as a guard',
      async () => {
        const canActivate = jest.spyOn(ApiKeyGuard.prototype, 'canActivate');
        const authorize = jest.spyOn(ApiKeyGuard.prototype, 'authorize');
        await app.inject({ method: 'GET', url: '/fast/items/abc', headers: { authorization: `Bearer ${reader}` } });
        expect([canActivate.mock.calls.length, authorize.mock.calls.length]).toEqual(fastRoutes ? [0, 1] : [1, 1]);
        await app.inject({ method: 'GET', url: '/nest/items/abc', headers: { authorization: `Bearer ${reader}` } });
        expect([canActivate.mock.calls.length, authorize.mock.calls.length]).toEqual(fastRoutes ? [1, 2] : [2, 2]);
        canActivate.mockRestore();
        authorize.mockRestore();
      },
    );
  });

  it('is observed by the HTTP histogram by route template', async () => {
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{app="fast-route-spec",method="GET",route="\/fast\/items\/:item_id",status_code="200"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{app="fast-route-spec",method="POST",route="\/fast\/items",status_code="400"\} [1-9]/,
    );
  });

  it('is documented in OpenAPI as its Nest twin is: parameters, body, answers, bearer security', async () => {
    const docs = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const described = (operation: Record<string, unknown>) => ({
      parameters: operation['parameters'],
      requestBody: operation['requestBody'],
      responses: operation['responses'],
      security: operation['security'],
    });
    expect(described(docs.paths['/fast/items/{item_id}'].get)).toEqual(
      described(docs.paths['/nest/items/{item_id}'].get),
    );
    expect(described(docs.paths['/fast/items'].post)).toEqual(described(docs.paths['/nest/items'].post));
    expect(JSON.stringify(docs.paths['/fast/items/{item_id}'].get.parameters)).toContain('verbose');
    expect(docs.paths['/fast/items'].post.requestBody.content['application/json'].schema).toMatchObject({
      required: ['name', 'size'],
    });
    expect(docs.paths['/fast/items/{item_id}'].get.security).toEqual([{ bearer: [] }]);
  });

  it('is listed by the route audit with its scopes, and as public when it has none', () => {
    const fastRoutes = listRoutes(app).filter((route) => route.path.startsWith('/fast'));
    expect(fastRoutes.map(({ method, path, scopes }) => [method, path, scopes])).toEqual([
      ['POST', '/fast/items', ['oracle:write']],
      ['GET', '/fast/items/:item_id', ['oracle:read']],
      ['GET', '/fast/items/:item_id/upstream', ['oracle:read']],
      ['GET', '/fast/open', null],
    ]);
    expect(routesWithoutScopes(app).map((route) => route.path)).toContain('/fast/open');
  });
});

@Injectable()
class PassInterceptor implements NestInterceptor {
  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Controller('refused')
class InterceptedController {
  @Get()
  @FastRoute()
  @UseInterceptors(PassInterceptor)
  get(): string {
    return 'never served';
  }
}

@Controller('refused')
class GuardedController {
  @Get()
  @FastRoute()
  @UseGuards(AllowGuard)
  get(): string {
    return 'never served';
  }
}

@Controller({ path: 'refused', scope: Scope.REQUEST })
class RequestScopedController {
  @Get()
  @FastRoute()
  get(): string {
    return 'never served';
  }
}

@Controller('refused')
class PipedController {
  @Get(':n')
  @FastRoute()
  get(@Param('n', ParseIntPipe) n: number): number {
    return n;
  }
}

/** Fast routes Nest's metadata no longer describes where fast routes read it (the tests take it away). */
@Controller('moved')
class ArgumentsMovedController {
  @Get(':id')
  @FastRoute()
  get(@Param('id') id: string): string {
    return id;
  }
}

@Controller('moved')
class GuardMovedController {
  @Get()
  @FastRoute()
  @RequireScopes('oracle:read')
  get(): string {
    return 'unguarded';
  }
}

@Controller('moved')
class MarkLostController {
  @Get()
  @FastRoute()
  get(): string {
    return 'through Nest';
  }
}

describe('@FastRoute() on what it cannot serve as Nest would', () => {
  beforeAll(() => {
    process.env['LOG_LEVEL'] = 'silent';
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterAll(() => jest.restoreAllMocks());

  async function createRefusedApp(controller: Type, fastRoutes: boolean): Promise<NestFastifyApplication> {
    @Module({ controllers: [controller] })
    class RefusedModule {}
    return createApp({
      name: 'fast-route-refused',
      module: RefusedModule,
      envSchema: baseEnvSchema,
      uses: {},
      description: 'refused',
      fastRoutes: fastRoutesSwitch(fastRoutes),
    });
  }

  /** Why the app could not start (init registers the routes, ready runs the last checks). */
  async function startFailure(app: NestFastifyApplication): Promise<string | undefined> {
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await app.close().catch(() => undefined);
    }
  }

  const refused: Array<[string, Type, RegExp, string, string]> = [
    [
      'an interceptor',
      InterceptedController,
      /InterceptedController\.get \(GET \/refused\): interceptors are not supported/,
      '/refused',
      'never served',
    ],
    [
      'another guard',
      GuardedController,
      /GuardedController\.get \(GET \/refused\): guards other than ApiKeyGuard/,
      '/refused',
      'never served',
    ],
    [
      'a parameter pipe',
      PipedController,
      /PipedController\.get \(GET \/refused\/:n\): parameter pipes are not supported/,
      '/refused/7',
      '7',
    ],
    [
      'a request-scoped controller',
      RequestScopedController,
      /RequestScopedController\.get \(GET \/refused\): the controller must be a singleton/,
      '/refused',
      'never served',
    ],
  ];

  it.each(refused)(
    'stops the app at start on %s, naming the route and the off switch',
    async (_case, controller, message) => {
      const failure = await startFailure(await createRefusedApp(controller, true));
      expect(failure).toMatch(message);
      expect(failure).toMatch(
        /Serve it through Nest instead \(drop @FastRoute\(\), or start with FAST_ROUTES=off\)\.$/,
      );
    },
  );

  it.each(refused)(
    'with fast routes off, serves the route with %s through Nest like any other',
    async (_case, controller, _message, url, body) => {
      const app = await createRefusedApp(controller, false);
      try {
        await app.init();
        const response = await app.inject({ method: 'GET', url });
        expect([response.statusCode, response.body]).toEqual([200, body]);
      } finally {
        await app.close();
      }
    },
  );

  it.each([
    [
      'route argument metadata',
      ArgumentsMovedController,
      () => Reflect.deleteMetadata(ROUTE_ARGS_METADATA, ArgumentsMovedController, 'get'),
      /^@FastRoute\(\) on ArgumentsMovedController\.get \(GET \/moved\/:id\) cannot be compiled against the installed Nest: no route argument metadata for parameter 0/,
    ],
    [
      'guard metadata',
      GuardMovedController,
      () => Reflect.deleteMetadata(GUARDS_METADATA, GuardMovedController.prototype.get),
      /^@FastRoute\(\) on GuardMovedController\.get \(GET \/moved\) cannot be compiled against the installed Nest: @RequireScopes is declared but no ApiKeyGuard/,
    ],
    [
      'Fastify route config',
      MarkLostController,
      () => Reflect.deleteMetadata(FASTIFY_ROUTE_CONFIG_METADATA, MarkLostController.prototype.get),
      /^@FastRoute\(\) on MarkLostController\.get: Nest registered the route without the mark in its Fastify route config/,
    ],
  ])(
    'stops the app at start, naming the off switch, when Nest no longer keeps the %s where it is read',
    async (_case, controller, moveInternals, message) => {
      moveInternals();
      const failure = await startFailure(await createRefusedApp(controller, true));
      expect(failure).toMatch(message);
      expect(failure).toMatch(
        /pinned to the minor version it is tested with; start with FAST_ROUTES=off to serve the fast routes through Nest's pipeline\.$/,
      );
    },
  );

  it('starts with fast routes off even when a Nest internal the fast routes import is gone, and says so with them on', async () => {
    const startWith = async (fastRoutes: boolean): Promise<number> => {
      let status = 0;
      await jest.isolateModulesAsync(async () => {
        // What a Nest release that moved a file the fast routes import does to their module chain.
        jest.doMock('./fast-route.parameters', () => {
          throw new Error("Cannot find module '@nestjs/core/router/route-params-factory.js'");
        });
        const { createApp: createIsolatedApp } = await import('./bootstrap.js');
        @Module({ controllers: [MarkLostController] })
        class MovedModule {}
        const app = await createIsolatedApp({
          name: 'fast-route-moved',
          module: MovedModule,
          envSchema: baseEnvSchema,
          uses: {},
          description: 'moved',
          fastRoutes: fastRoutesSwitch(fastRoutes),
        });
        try {
          await app.init();
          status = (await app.inject({ method: 'GET', url: '/moved' })).statusCode;
        } finally {
          await app.close();
        }
      });
      return status;
    };
    await expect(startWith(false)).resolves.toBe(200);
    await expect(startWith(true)).rejects.toThrow(
      /@FastRoute\(\) cannot load against the installed Nest \(Cannot find module .*\); start with FAST_ROUTES=off/,
    );
  });
});
