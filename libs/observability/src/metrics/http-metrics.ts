import type { FastifyInstance } from 'fastify';
import { labelledChildren } from './labelled-children';
import type { MetricsRegistry } from './metrics.registry';

/** Observes every response by route template (not raw URL, so ids don't explode the series). */
export function instrumentHttp(fastify: FastifyInstance, registry: MetricsRegistry): void {
  const series = labelledChildren(registry.httpDuration); // method, route, status_code
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    series(request.method, route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
    done();
  });
}
