import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * One log line per answered request (`request completed` with request_id, method, url, status,
 * duration_ms) at info, warn for a 4xx, error for a 5xx; none for health and metrics. A
 * Fastify hook rather than pino-http's middleware: it sees every route (fast routes too), and
 * a request costs a level check when its line is not written. `logger` defaults to the app's
 * pino root (nestjs-pino's, read per request: it is made when the app's logger is).
 */
export function logRequests(fastify: FastifyInstance, logger: () => Logger | undefined = () => PinoLogger.root): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    const log = logger();
    if (log?.isLevelEnabled(level) && !QUIET_ROUTES.has(request.routeOptions.url ?? '')) {
      // Flat fields: pino-http's logger serializes `req` and `res` as Node's message objects.
      const durationMs = Math.round(reply.elapsedTime * 10) / 10;
      log[level](
        { request_id: request.id, method: request.method, url: request.url, status, duration_ms: durationMs },
        'request completed',
      );
    }
    done();
  });
}
