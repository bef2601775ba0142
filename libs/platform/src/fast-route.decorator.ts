import { createRequire } from 'node:module';
import type { Type } from '@nestjs/common';

/**
 * Nest's metadata key for a route's Fastify config, looked up without letting a moved internal
 * stop the app from loading: null then, the mark stays ours alone, and with fast routes off the
 * routes are served by Nest as usual (with them on, the start fails naming the off switch).
 */
const fastifyRouteConfigKey: string | null = (() => {
  try {
    const constants = createRequire(__filename)('@nestjs/platform-fastify/constants.js') as {
      FASTIFY_ROUTE_CONFIG_METADATA?: unknown;
    };
    return typeof constants.FASTIFY_ROUTE_CONFIG_METADATA === 'string' ? constants.FASTIFY_ROUTE_CONFIG_METADATA : null;
  } catch {
    return null;
  }
})();

/** Where @FastRoute() leaves its mark in the Fastify route config Nest registers. */
export const FAST_ROUTE_CONFIG = 'metaloopFastRoute';

/** The same mark on the method itself, where no Nest internal moves it: how a lost mark is noticed. */
export const FAST_ROUTE_METADATA = 'metaloop:fast-route';

/** The controller method a fast route runs. */
export interface FastRouteTarget {
  controller: Type;
  method: string;
}

/**
 * Serves this controller route from a handler compiled once at start instead of Nest's
 * per-request pipeline (router execution context, guard consumer, pipe consumer, interceptor
 * chain), for hot routes where those tens of microseconds are most of the cost. Everything
 * else stays as it is: the route is declared, documented (OpenAPI) and audited (scopes) by the
 * same decorators, and the compiled handler does what Nest would do with them — the
 * @RequireScopes check (ApiKeyGuard.authorize), the app's global pipes on each parameter
 * (zod schemas → 400 with field paths), @HttpCode, @Header, and errors through the app's
 * problem+json filter. What it cannot reproduce (interceptors, other guards, parameter pipes,
 * redirects, rendering, SSE, versions, hosts, a response the handler sends itself) stops the
 * app at start, naming the route. The method returns its body (or a promise of it), sent as is.
 *
 * It reads internals of @nestjs/common, @nestjs/core and @nestjs/platform-fastify (metadata
 * keys, ExecutionContextHost, RouteParamsFactory, ParamsTokenFactory), so those are pinned
 * (`~`) to the minor fast-route.spec.ts compares it with Nest on. An app whose definition sets
 * `fastRoutes` off serves these routes through Nest's pipeline like any other; when the
 * internals are not where they were, the start fails naming that switch.
 */
export function FastRoute(): MethodDecorator {
  return (target, method, descriptor) => {
    if (typeof method !== 'string') throw new Error('@FastRoute() needs a method with a string name');
    const handler = descriptor.value as object;
    const mark: FastRouteTarget = { controller: target.constructor as Type, method };
    if (fastifyRouteConfigKey !== null) {
      const config: Record<string, unknown> = Reflect.getMetadata(fastifyRouteConfigKey, handler) ?? {};
      Reflect.defineMetadata(fastifyRouteConfigKey, { ...config, [FAST_ROUTE_CONFIG]: mark }, handler);
    }
    Reflect.defineMetadata(FAST_ROUTE_METADATA, mark, handler);
  };
}
