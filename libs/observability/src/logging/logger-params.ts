import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The correlation id of a request (Fastify's genReqId, so `request.id`): the caller's
 * X-Request-Id when it is sane, otherwise a new UUID.
 */
export function assignRequestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * JSON logs with pino. Requests are logged by `logRequests` (a Fastify hook, one line each
 * with the request id), not by pino-http's middleware: `forRoutes: []` mounts it nowhere,
 * so no request pays for a child logger and an AsyncLocalStorage scope. Errors answered as
 * 5xx are logged with their request id by the problem filter.
 */
export function loggerParams(app: string, level: string): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      level,
      name: app,
      base: { app, pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
  };
}
