import { Controller, Get, HttpCode, Logger, Module, Post, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { baseEnvSchema, postgresEnv } from '@metaloop/config';
import {
  ApiKeysService,
  AuthModeService,
  AuthOptionsModule,
  CurrentPrincipal,
  generateKey,
  listRoutes,
  RequireScopes,
  routesWithoutScopes,
  type Principal,
} from '@metaloop/auth';
import { DEFAULT_MIGRATIONS_DIR, migrate, PrismaService } from '@metaloop/db';
import { scratchSchema, withClient, type ScratchSchema } from '@metaloop/testing';
import { createApp } from './bootstrap';

/** A scratch schema with every migration applied. */
async function migratedSchema(suite: string): Promise<ScratchSchema> {
  const scratch = await scratchSchema(suite);
  await migrate({ databaseUrl: scratch.url, migrationsDir: DEFAULT_MIGRATIONS_DIR });
  return scratch;
}

/** A clock only the test moves (starting at the real time, so database defaults agree). */
class ManualClock {
  private current = Date.now();
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

@Controller('spec')
class SpecController {
  @Get('public')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('read')
  @RequireScopes('oracle:read')
  read(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Post('rollback')
  @HttpCode(200)
  @RequireScopes('oracle:rollback')
  rollback(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}

const envSchema = baseEnvSchema.extend(postgresEnv);

/**
 * The spec app as every app is built (createApp, PlatformModule with Postgres, so AuthModule
 * comes with it). Built after the environment is set: ConfigModule validates it right away.
 */
async function startSpecApp(
  env: { DATABASE_URL: string; NODE_ENV: string },
  clock: ManualClock,
): Promise<NestFastifyApplication> {
  Object.assign(process.env, env, { MIGRATE_ON_START: 'false' });
  @Module({
    imports: [AuthOptionsModule.forRoot({ now: clock.now, modeRefreshIntervalMs: 60_000 })],
    controllers: [SpecController],
  })
  class SpecModule {}
  const app = await createApp({
    name: 'auth-spec',
    module: SpecModule as Type,
    envSchema,
    uses: { postgres: true },
    description: 'auth spec',
  });
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

const PROBLEM = /^application\/problem\+json/;

describe('ApiKeyGuard on an app built by createApp', () => {
  const savedEnv = { ...process.env };
  let scratch: ScratchSchema;
  let app: NestFastifyApplication;
  let keys: ApiKeysService;
  let mode: AuthModeService;
  const clock = new ManualClock();
  const warnings: string[] = [];

  const call = (method: 'GET' | 'POST', url: string, key?: string) =>
    app.inject({ method, url, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    scratch = await migratedSchema('auth_guard');
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
      warnings.push(String(message));
    });
    app = await startSpecApp({ DATABASE_URL: scratch.url, NODE_ENV: 'test' }, clock);
    keys = app.get(ApiKeysService);
    mode = app.get(AuthModeService);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.close();
    await scratch?.drop();
    process.env = savedEnv;
  });

  describe('open mode: outside production, no active key', () => {
    it('warns loudly at start that the API is open', () => {
      expect(mode.enforcing).toBe(false);
      const warning = warnings.find((w) => w.includes('THIS API IS OPEN'));
      expect(warning).toBeDefined();
      expect(warning!.split('\n').length).toBeGreaterThan(4);
      expect(warning).toContain('npm run keys:create -- --name ops --scopes admin');
    });

    it('lets every request through as the anonymous admin', async () => {
      for (const [method, url] of [
        ['GET', '/spec/read'],
        ['POST', '/spec/rollback'],
      ] as const) {
        const response = await call(method, url);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({ keyId: null, name: 'anonymous', scopes: ['admin'] });
      }
      expect((await call('GET', '/spec/read', 'garbage')).statusCode).toBe(200);
    });

    it('switches to enforcement by itself once a key exists (at the next refresh)', async () => {
      const created = await keys.create({ name: 'first', scopes: ['oracle:read'] });
      expect((await call('GET', '/spec/read')).statusCode).toBe(200);
      expect(await mode.refresh()).toBe(true);
      expect((await call('GET', '/spec/read')).statusCode).toBe(401);
      expect((await call('GET', '/spec/read', created.key)).json()).toMatchObject({ keyId: created.id, name: 'first' });
    });
  });

  describe('enforcing', () => {
    let reader: Awaited<ReturnType<ApiKeysService['create']>>;
    let admin: Awaited<ReturnType<ApiKeysService['create']>>;

    beforeAll(async () => {
      reader = await keys.create({ name: 'reader', scopes: ['oracle:read'] });
      admin = await keys.create({ name: 'root', scopes: ['admin'] });
      await mode.refresh();
    });

    it('answers a request without a key with 401 problem+json and a Bearer challenge', async () => {
      const response = await call('GET', '/spec/read');
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metaloop"');
      expect(response.json()).toMatchObject({
        type: 'urn:metaloop:problem:unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: expect.stringContaining('Authorization: Bearer'),
        instance: '/spec/read',
      });
      const basic = await app.inject({
        method: 'GET',
        url: '/spec/read',
        headers: { authorization: 'Basic dXNlcjpwdw==' },
      });
      expect(basic.statusCode).toBe(401);
    });

    it.each([
      ['a malformed key', () => 'not-a-key'],
      ['an unknown key', () => generateKey()],
      ['an empty bearer token', () => ''],
    ])('answers %s with 401 invalid_token', async (_case, key) => {
      const response = await call('GET', '/spec/read', key());
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metaloop", error="invalid_token"');
      expect(response.json()).toMatchObject({
        status: 401,
        detail: expect.stringMatching(/unknown, malformed, expired or revoked/),
      });
    });

    it('answers a valid key without the scope with 403 naming the scope', async () => {
      const response = await call('POST', '/spec/rollback', reader.key);
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.json()).toMatchObject({
        type: 'urn:metaloop:problem:insufficient-scope',
        title: 'Forbidden',
        status: 403,
        detail: 'This route needs scope "oracle:rollback", which API key "reader" does not have.',
      });
      expect(response.headers['www-authenticate']).toContain('error="insufficient_scope", scope="oracle:rollback"');
    });

    it('lets the right scope through and hands the principal to the handler', async () => {
      const response = await call('GET', '/spec/read', reader.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ keyId: reader.id, name: 'reader', scopes: ['oracle:read'] });
    });

    it('lets admin through every scope', async () => {
      expect((await call('GET', '/spec/read', admin.key)).statusCode).toBe(200);
      const response = await call('POST', '/spec/rollback', admin.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ keyId: admin.id, name: 'root', scopes: ['admin'] });
    });

    it('keeps public routes public', async () => {
      expect((await call('GET', '/spec/public')).statusCode).toBe(200);
      expect((await call('GET', '/health/live')).statusCode).toBe(200);
    });

    it('refuses an expired key', async () => {
      const temp = await keys.create({ name: 'temp', scopes: ['admin'], expiresAt: new Date(clock.now() + 60_000) });
      expect((await call('GET', '/spec/read', temp.key)).statusCode).toBe(200);
      clock.advance(60_001);
      const response = await call('GET', '/spec/read', temp.key);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metaloop", error="invalid_token"');
    });

    it('refuses a key revoked elsewhere once the 30 s cache entry has expired', async () => {
      const ci = await keys.create({ name: 'ci', scopes: ['oracle:read'] });
      expect((await call('GET', '/spec/read', ci.key)).statusCode).toBe(200);
      await withClient((client) =>
        client.query(`UPDATE "${scratch.schema}".api_keys SET revoked_at = now() WHERE id = $1`, [ci.id]),
      );
      expect((await call('GET', '/spec/read', ci.key)).statusCode).toBe(200);
      clock.advance(30_001);
      expect((await call('GET', '/spec/read', ci.key)).statusCode).toBe(401);
    });

    it('documents the bearer scheme and the 401/403 answers in OpenAPI', async () => {
      const docs = (await call('GET', '/docs/json')).json();
      const read = docs.paths['/spec/read'].get;
      expect(read.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(read.responses)).toEqual(expect.arrayContaining(['401', '403']));
      expect(read.responses['403'].description).toContain('`oracle:read`');
      expect(read.responses['401'].content['application/problem+json']).toBeDefined();
      expect(docs.paths['/spec/public'].get.security).toBeUndefined();
      expect(docs.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    });
  });

  describe('route audit', () => {
    it('lists the routes without @RequireScopes: the platform ones and the deliberately public one', () => {
      expect(routesWithoutScopes(app).map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
        'GET /spec/public',
      ]);
      expect(listRoutes(app).filter((r) => r.scopes)).toEqual([
        { method: 'GET', path: '/spec/read', controller: 'SpecController', handler: 'read', scopes: ['oracle:read'] },
        {
          method: 'POST',
          path: '/spec/rollback',
          controller: 'SpecController',
          handler: 'rollback',
          scopes: ['oracle:rollback'],
        },
      ]);
    });
  });
});

describe('AuthModule in production', () => {
  const savedEnv = { ...process.env };
  let scratch: ScratchSchema;

  beforeAll(async () => {
    scratch = await migratedSchema('auth_prod');
  });

  afterAll(async () => {
    await scratch?.drop();
    process.env = savedEnv;
  });

  it('refuses to start without an active key, saying how to create one', async () => {
    await expect(
      startSpecApp({ DATABASE_URL: scratch.url, NODE_ENV: 'production' }, new ManualClock()),
    ).rejects.toThrow(/^no API keys: .*create one with `npm run keys:create -- --name X --scopes \.\.\.`/);
  });

  it('names the missing migration when the api_keys table is not there', async () => {
    const empty = await scratchSchema('auth_unmigrated');
    try {
      await expect(startSpecApp({ DATABASE_URL: empty.url, NODE_ENV: 'test' }, new ManualClock())).rejects.toThrow(
        /^cannot count API keys \(is the schema migrated\? MIGRATE_ON_START=true or npm run db:migrate\)/,
      );
    } finally {
      await empty.drop();
    }
  });

  it('starts with a key and enforces it even if every key is later revoked', async () => {
    const seeded = await seedKey(scratch.url);
    const started = await startSpecApp({ DATABASE_URL: scratch.url, NODE_ENV: 'production' }, new ManualClock());
    try {
      const mode = started.get(AuthModeService);
      expect(mode.enforcing).toBe(true);
      expect((await started.inject({ method: 'GET', url: '/spec/read' })).statusCode).toBe(401);
      const ok = await started.inject({
        method: 'GET',
        url: '/spec/read',
        headers: { authorization: `Bearer ${seeded}` },
      });
      expect(ok.statusCode).toBe(200);
      await started.get(ApiKeysService).revoke(seeded);
      expect(await mode.refresh()).toBe(true);
      expect((await started.inject({ method: 'GET', url: '/spec/read' })).statusCode).toBe(401);
    } finally {
      await started.close();
    }
  });
});

/** Creates a key outside the app, as `npm run keys:create` does before the app starts. */
async function seedKey(databaseUrl: string): Promise<string> {
  const prisma = new PrismaService({ databaseUrl });
  try {
    return (await new ApiKeysService(prisma).create({ name: 'ops', scopes: ['admin'] })).key;
  } finally {
    await prisma.$disconnect();
  }
}
