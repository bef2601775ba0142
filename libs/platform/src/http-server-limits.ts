import type { Server } from 'node:http';
import type { ConfigService } from '@nestjs/config';

/** How long a client may take and how many sockets it may hold (HTTP_* in the shared env). */
export interface HttpServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxRequestsPerSocket: number;
}

export function httpServerLimits(config: ConfigService): HttpServerLimits {
  return {
    headersTimeoutMs: config.getOrThrow<number>('HTTP_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: config.getOrThrow<number>('HTTP_REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: config.getOrThrow<number>('HTTP_KEEP_ALIVE_TIMEOUT_MS'),
    maxConnections: config.getOrThrow<number>('HTTP_MAX_CONNECTIONS'),
    maxRequestsPerSocket: config.getOrThrow<number>('HTTP_MAX_REQUESTS_PER_SOCKET'),
  };
}

/**
 * Sets the limits on the Node server before it listens, so slow or idle clients cannot hold it:
 * Node answers a request head or body that does not arrive in time with 408 and closes the
 * socket. Node looks for expired requests every connectionsCheckingInterval (30 s by default,
 * read when the server starts listening), so that is brought down near the shortest timeout.
 */
export function applyHttpServerLimits(server: Server, limits: HttpServerLimits): void {
  // Node requires headers ≤ request timeout; a request timeout shorter than the head's wins.
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(
    1_000,
    server.headersTimeout,
  );
}
