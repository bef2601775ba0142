import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { baseEnvSchema } from '@metaloop/config';
import { z } from 'zod';
import { createApp } from './bootstrap';

const thingSchema = z.strictObject({
  name: z.string().min(1).max(20),
  score: z.object({ value: z.number().min(0).max(1) }),
  tags: z.array(z.string()).max(2).optional(),
});

class UpstreamDown extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 2;
}

class Refused extends Error {
  readonly httpStatus = 409;
  readonly problemType = 'urn:metaloop:problem:refused';
  readonly extensions = { gates: [{ gate: 'freeze', status: 'fail' }], type: 'ignored: problemType wins' };
}

@Controller('things')
class ThingsController {
  @Post()
  @HttpCode(202)
  create(@Body({ schema: thingSchema }) body: z.infer<typeof thingSchema>) {
    return { accepted: body.name };
  }

  @Get('broken')
  broken(): never {
    throw new Error('secret internal detail');
  }

  @Post('big')
  @HttpCode(202)
  big(@Body({ schema: z.object({ name: z.string() }) }) body: { name: string }) {
    return { length: body.name.length };
  }

  @Get('slow')
  async slow(): Promise<{ done: true }> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { done: true };
  }

  @Get('refused')
  refused(): never {
    throw new Refused('the plan was refused');
  }

  @Get('upstream')
  upstream(): never {
    throw new UpstreamDown('NATS is unavailable: disconnected');
  }
}

@Module({
  controllers: [ThingsController],
})
class SpecModule {}

describe('an app built by createApp', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    process.env['LOG_LEVEL'] = 'silent';
    app = await createApp({
      name: 'platform-spec',
      module: SpecModule,
      envSchema: baseEnvSchema,
      uses: {},
      description: 'spec',
      bodyLimits: () => ({ default: 2048, routes: { '/things/big': 8192 } }),
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/things', payload, headers: { 'content-type': contentType } });

  it('validates bodies with the zod schema and passes the parsed value on', async () => {
    const response = await post(JSON.stringify({ name: 'a', score: { value: 0.5 } }));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ accepted: 'a' });
  });

  it('answers invalid fields with 400 problem+json naming each path', async () => {
    const response = await post(JSON.stringify({ name: '', score: { value: 2 }, tags: ['a', 'b', 'c'] }));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ type: 'urn:metaloop:problem:validation-error', status: 400, instance: '/things' });
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual(['name', 'score.value', 'tags']);
    expect(problem.errors.find((e: { path: string }) => e.path === 'score.value').pointer).toBe('/score/value');
  });

  it.each([
    ['malformed JSON', '{"name":', 'application/json', 400],
    ['an empty JSON body', '', 'application/json', 400],
    ['a JSON array instead of an object', '[1,2]', 'application/json', 400],
    ['an unsupported content type', 'name=a', 'text/plain', 415],
    ['a body over the limit', JSON.stringify({ name: 'x'.repeat(4096) }), 'application/json', 413],
  ])('answers %s with a 4xx problem, never a 500', async (_case, payload, contentType, status) => {
    const response = await post(payload, contentType);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, title: expect.any(String) });
  });

  it('lets a route take a larger body than the default when configured so', async () => {
    const payload = JSON.stringify({ name: 'x'.repeat(4096) });
    const big = await app.inject({
      method: 'POST',
      url: '/things/big',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(big.statusCode).toBe(202);
    const tooBig = await app.inject({
      method: 'POST',
      url: '/things/big',
      payload: JSON.stringify({ name: 'x'.repeat(9000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooBig.statusCode).toBe(413);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const response = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404, instance: '/nowhere' });
  });

  it('hides internal errors behind a 500 problem carrying the request id', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/broken', headers: { 'x-request-id': 'req-42' } });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(response.json()).toMatchObject({ status: 500, request_id: 'req-42' });
    expect(response.headers['x-request-id']).toBe('req-42');
  });

  it('maps errors that carry an HTTP status, with Retry-After', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/upstream' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toMatchObject({ status: 503, detail: 'NATS is unavailable: disconnected' });
  });

  it('adds the extensions an error carries to its problem document', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/refused' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      status: 409,
      type: 'urn:metaloop:problem:refused',
      detail: 'the plan was refused',
      gates: [{ gate: 'freeze', status: 'fail' }],
    });
  });

  it('gives every response a request id', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves liveness, readiness, metrics by route template, and OpenAPI from the zod schema', async () => {
    expect((await app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'alive' });
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'ready', checks: {} });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{app="platform-spec",method="POST",route="\/things",status_code="202"\} \d+/,
    );
    const docs = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const body = docs.paths['/things'].post.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({
      type: 'object',
      required: ['name', 'score'],
      properties: { name: { maxLength: 20 } },
    });
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('lets in-flight requests finish while it closes', async () => {
    const app = await createApp({
      name: 'platform-spec',
      module: SpecModule,
      envSchema: baseEnvSchema,
      uses: {},
      description: 'spec',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/things/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = app.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closed;
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });
});
