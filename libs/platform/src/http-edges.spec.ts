import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { baseEnvSchema } from '@metaloop/config';
import { createApp } from './bootstrap';

@Controller('items')
class ItemsController {
  @Get(':id')
  get(@Param('id') id: string) {
    return { id };
  }
}

@Module({ controllers: [ItemsController] })
class EdgesModule {}

/** Generous: the server must close well before it; how fast is not asserted. */
const CLOSED_WITHIN_MS = 10_000;

/** Opens a socket, writes `data` (if any) and resolves with what came back once the server closes it. */
function heldSocket(port: number, data?: string): { closed: Promise<string>; socket: Socket } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  if (data !== undefined) socket.on('connect', () => socket.write(data));
  const closed = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${CLOSED_WITHIN_MS} ms`)), CLOSED_WITHIN_MS);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', () => undefined);
  });
  return { closed, socket };
}

describe('Fastify and Node refusals are problem+json; slow clients cannot hold the server', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    Object.assign(process.env, {
      LOG_LEVEL: 'silent',
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_REQUEST_TIMEOUT_MS: '600',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      HTTP_MAX_CONNECTIONS: '20',
    });
    app = await createApp({
      name: 'edges-spec',
      module: EdgesModule,
      envSchema: baseEnvSchema,
      uses: {},
      description: 'spec',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.getHttpServer().address() as { port: number }).port;
  });

  afterAll(async () => {
    await app?.close();
    for (const name of [
      'HTTP_HEADERS_TIMEOUT_MS',
      'HTTP_REQUEST_TIMEOUT_MS',
      'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      'HTTP_MAX_CONNECTIONS',
    ])
      delete process.env[name];
  });

  it.each(['/%ff%fe', '/%zz', '/items/%ff%fe'])('answers the malformed URL %s with a 400 problem', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request', code: 'FST_ERR_BAD_URL' });
  });

  it('answers an over-long path parameter with a 414 problem that does not echo the path', async () => {
    const id = 'x'.repeat(5_000);
    const response = await app.inject({ method: 'GET', url: `/items/${id}` });
    expect(response.statusCode).toBe(414);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 414, title: 'URI Too Long' });
    expect(response.body).not.toContain('xxxxxxxxxx');
    expect(response.body.length).toBeLessThan(500);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await app.inject({ method: 'GET', url: '/nowhere/at/all' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers headers over the size limit with a 431 problem', async () => {
    const response = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/items/a', headers: { 'x-filler': 'y'.repeat(32_000) } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(response.status).toBe(431);
    expect(response.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  it('closes a socket that sends half a request head, answering 408 problem+json', async () => {
    const received = await heldSocket(port, 'GET /items/a HTTP/1.1\r\nHost: x\r\nX-Slow: ').closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('application/problem+json');
  });

  it('closes a socket whose promised body never comes', async () => {
    const received = await heldSocket(
      port,
      'POST /items/a HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
    ).closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a socket that never sends anything', async () => {
    await expect(heldSocket(port).closed).resolves.toBeDefined();
  });

  it('closes an idle keep-alive socket after its response', async () => {
    const received = await heldSocket(port, 'GET /items/a HTTP/1.1\r\nHost: x\r\n\r\n').closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('reads the limits from the shared env', () => {
    const server = app.getHttpServer();
    expect(server.headersTimeout).toBe(300);
    expect(server.requestTimeout).toBe(600);
    expect(server.keepAliveTimeout).toBe(300);
    expect(server.maxConnections).toBe(20);
  });
});
