import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * The correlation id of a request: the caller's X-Request-Id when it is sane, otherwise a
 * new UUID. Stored on the raw request so Fastify, pino-http and the error filter share it.
 */
export function assignRequestId(req: IncomingMessage): string {
  const carrier = req as IncomingMessage & { id?: unknown };
  if (typeof carrier.id === 'string') return carrier.id;
  const header = req.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  const id = given && REQUEST_ID.test(given) ? given : randomUUID();
  carrier.id = id;
  return id;
}

/**
 * JSON logs with pino: one line per request with its id, method, route and status; every
 * log written while serving a request carries the same `request_id` (AsyncLocalStorage).
 */
export function loggerParams(app: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      name: app,
      base: { app, pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      genReqId: (req) => assignRequestId(req),
      customAttributeKeys: { reqId: 'request_id' },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      autoLogging: { ignore: (req) => QUIET_ROUTES.has((req.url ?? '').split('?')[0]!) },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    },
  };
}
