import type { Type } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';

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
    const config: Record<string, unknown> = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {};
    const mark: FastRouteTarget = { controller: target.constructor as Type, method };
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [FAST_ROUTE_CONFIG]: mark }, handler);
    Reflect.defineMetadata(FAST_ROUTE_METADATA, mark, handler);
  };
}
