import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';
import { tracingEnabled } from './trace-context';

/**
 * Names each HTTP server span after its route (`POST /api/v1/feedback/collect`, not `POST`):
 * the HTTP instrumentation takes the route from the request's RPC metadata when the span ends.
 */
export function nameServerSpansByRoute(fastify: FastifyInstance): void {
  if (!tracingEnabled()) return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP && request.routeOptions.url) rpc.route = request.routeOptions.url;
    done();
  });
}
