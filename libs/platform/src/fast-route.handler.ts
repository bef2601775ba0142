import type { INestApplicationContext, Type } from '@nestjs/common';
import { HEADERS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum.js';
import { ApplicationConfig } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { PRINCIPAL_PROPERTY, routeScopes, type RequestWithPrincipal, type Scope } from '@metaloop/auth';
import type { FastifyInstance, RouteHandlerMethod, RouteOptions } from 'fastify';
import { FAST_ROUTE_CONFIG, type FastRouteTarget } from './fast-route.decorator';
import { apiKeyGuardOf, globalPipes, onlyCatchAllFilter, refuseUnsupported, type Refusal } from './fast-route.enhancers';
import { compileParameters } from './fast-route.parameters';

/**
 * Compiles every @FastRoute() route as Nest registers it (Fastify's onRoute hook runs at
 * app.init()): the route Nest adds keeps its path, options and the app's hooks, and gets the
 * compiled handler in place of Nest's. Call before init.
 */
export function serveFastRoutes(app: INestApplicationContext, fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const target = (route.config as Record<string, unknown> | undefined)?.[FAST_ROUTE_CONFIG] as FastRouteTarget | undefined;
    if (target) route.handler = compileFastRoute(app, target, route);
  });
}

interface ResponseHeader {
  name: string;
  value: string | (() => string);
}

/** Segments find-my-way and path-to-regexp read alike: a literal or one plain `:name`. */
const PLAIN_SEGMENT = /^(?:[\w.~-]*|:[A-Za-z_]\w*)$/;

function compileFastRoute(app: INestApplicationContext, { controller, method }: FastRouteTarget, route: RouteOptions): RouteHandlerMethod {
  const refuse: Refusal = (why) =>
    new Error(`@FastRoute() on ${controller.name}.${method} (${String(route.method)} ${route.url}): ${why}. Serve it through Nest instead (drop @FastRoute()).`);
  const callback = (controller.prototype as Record<string, (...args: unknown[]) => unknown>)[method]!;
  const config = app.get(ApplicationConfig, { strict: false });
  const filter = onlyCatchAllFilter(config, refuse);
  const pipes = globalPipes(config, refuse);
  const guard = apiKeyGuardOf(app, config, controller, callback, refuse);
  refuseUnsupported(controller, callback, refuse);
  const scopes: readonly Scope[] = routeScopes(controller, callback) ?? [];
  const parameters = compileParameters(controller, method, callback, pipes, refuse);
  const argsLength = parameters.reduce((length, p) => Math.max(length, p.index + 1), 0);
  const requestMethod = Reflect.getMetadata(METHOD_METADATA, callback) as RequestMethod;
  const status: number = Reflect.getMetadata(HTTP_CODE_METADATA, callback) ?? (requestMethod === RequestMethod.POST ? 201 : 200);
  const headers: ResponseHeader[] = Reflect.getMetadata(HEADERS_METADATA, callback) ?? [];
  const segments = route.url.split('/');
  if (!segments.every((segment) => PLAIN_SEGMENT.test(segment))) throw refuse('only literal and plain `:name` path segments are supported');
  const checksEmptyParams = segments.some((segment) => segment.startsWith(':'));
  const instance = controllerInstance(app, controller, refuse);

  // Nest's order: guard, status and headers, each parameter through the pipes, the method, the send.
  return async function fastRoute(request, reply) {
    try {
      // As Nest's Fastify adapter: an empty path parameter matches no route.
      if (checksEmptyParams && hasEmptyParam(request.params as Record<string, string>)) return reply.callNotFound();
      if (guard) {
        const principal = guard.authorize(request.headers.authorization, scopes);
        (request as RequestWithPrincipal)[PRINCIPAL_PROPERTY] = isThenable(principal) ? await principal : principal;
      }
      void reply.code(status);
      for (const { name, value } of headers) void reply.header(name, typeof value === 'function' ? value() : value);
      const args = new Array<unknown>(argsLength);
      for (const { index, extract, metadata, pipes } of parameters) {
        let value = extract(request, reply);
        for (const pipe of pipes) value = await pipe.transform(value, metadata);
        args[index] = value;
      }
      const body = callback.apply(instance, args);
      return reply.send(isThenable(body) ? await body : body);
    } catch (error) {
      filter.catch(error, new ExecutionContextHost([request, reply], controller, callback));
      return reply;
    }
  };
}

/** The controller's one instance; a request-scoped one has none to call. */
function controllerInstance(app: INestApplicationContext, controller: Type, refuse: Refusal): unknown {
  try {
    return app.get(controller, { strict: false });
  } catch (error) {
    throw refuse(`the controller must be a singleton (${(error as Error).message})`);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function hasEmptyParam(params: Record<string, string>): boolean {
  for (const name in params) if (params[name] === '') return true;
  return false;
}

