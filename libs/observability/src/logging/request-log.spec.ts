import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { assignRequestId } from './logger-params';
import { logRequests } from './request-log';

describe('logRequests', () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const fastify = Fastify({ genReqId: assignRequestId });
  logRequests(fastify, () => logger);
  fastify.get<{ Params: { id: string } }>('/things/:id', async (request, reply) =>
    reply.code(request.params.id === 'gone' ? 404 : 200).send({}),
  );
  fastify.get('/broken', async () => {
    throw new Error('boom');
  });
  fastify.get('/health/live', async () => ({ status: 'ok' }));

  afterAll(() => fastify.close());

  it('writes one line per request with its id, method, url, status and duration, at a level by status', async () => {
    await fastify.inject({ method: 'GET', url: '/things/1?x=2', headers: { 'x-request-id': 'req-1' } });
    await fastify.inject({ method: 'GET', url: '/things/gone' });
    await fastify.inject({ method: 'GET', url: '/broken' });
    await fastify.inject({ method: 'GET', url: '/health/live' });
    expect(lines.map(({ level, msg, method, url, status }) => ({ level, msg, method, url, status }))).toEqual([
      { level: 30, msg: 'request completed', method: 'GET', url: '/things/1?x=2', status: 200 },
      { level: 40, msg: 'request completed', method: 'GET', url: '/things/gone', status: 404 },
      { level: 50, msg: 'request completed', method: 'GET', url: '/broken', status: 500 },
    ]);
    expect(lines[0]).toMatchObject({ request_id: 'req-1', duration_ms: expect.any(Number) });
    expect(lines[1]!['request_id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes nothing below the logger level', async () => {
    lines.length = 0;
    logger.level = 'error';
    await fastify.inject({ method: 'GET', url: '/things/gone' });
    expect(lines).toEqual([]);
  });
});
