import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from './metrics.registry';

/** Observes every response by route template (not raw URL, so ids don't explode the series). */
export function instrumentHttp(fastify: FastifyInstance, registry: MetricsRegistry): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    registry.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
