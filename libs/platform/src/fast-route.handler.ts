import type { INestApplicationContext, Type } from '@nestjs/common';
import { HEADERS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum.js';
import { ApplicationConfig, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  PRINCIPAL_PROPERTY,
  routeScopes,
  SCOPES_METADATA,
  type RequestWithPrincipal,
  type Scope,
} from '@metaloop/auth';
import type { FastifyInstance, RouteHandlerMethod, RouteOptions } from 'fastify';
import { FAST_ROUTE_CONFIG, FAST_ROUTE_METADATA, type FastRouteTarget } from './fast-route.decorator';
import {
  apiKeyGuardOf,
  globalPipes,
  onlyCatchAllFilter,
  refuseUnsupported,
  type Refusal,
} from './fast-route.enhancers';
import { compileParameters, type Parameter } from './fast-route.parameters';

/**
 * Compiles every @FastRoute() route as Nest registers it (Fastify's onRoute hook runs at
 * app.init()): the route Nest adds keeps its path, options and the app's hooks, and gets the
 * compiled handler in place of Nest's. Call before init. `offSwitch` (e.g. `FAST_ROUTES=off`) is
 * how the app is started without them; a fast route that cannot be compiled stops the start
 * naming it, and so does one whose mark never reached Fastify (checked when Fastify is ready),
 * rather than leave the route to run some other way unnoticed.
 */
export function serveFastRoutes(app: INestApplicationContext, fastify: FastifyInstance, offSwitch?: string): void {
  const compiled = new Set<object>();
  fastify.addHook('onRoute', (route) => {
    const target = (route.config as Record<string, unknown> | undefined)?.[FAST_ROUTE_CONFIG] as
      FastRouteTarget | undefined;
    if (!target) return;
    route.handler = compileFastRoute(app, target, route, offSwitch);
    compiled.add(callbackOf(target));
  });
  fastify.addHook('onReady', (done) => {
    const lost = markedRoutes(app).filter((target) => !compiled.has(callbackOf(target)));
    if (lost.length === 0) return done();
    const names = lost.map(({ controller, method }) => `${controller.name}.${method}`).join(', ');
    done(
      new Error(
        `@FastRoute() on ${names}: Nest registered the route without the mark in its Fastify route config. ${internalsAdvice(offSwitch)}`,
      ),
    );
  });
}

/** What the operator can do when Nest's internals are not where fast routes read them. */
function internalsAdvice(offSwitch: string | undefined): string {
  const escape = offSwitch
    ? `start with ${offSwitch} to serve the fast routes through Nest's pipeline`
    : 'drop @FastRoute() to serve the route through Nest';
  return `@FastRoute() reads internals of @nestjs/common, @nestjs/core and @nestjs/platform-fastify, pinned to the minor version it is tested with; ${escape}.`;
}

/** Thrown for what a fast route does not reproduce: a decision about the route, not a broken install. */
class FastRouteRefusal extends Error {}

interface ResponseHeader {
  name: string;
  value: string | (() => string);
}

/** Segments find-my-way and path-to-regexp read alike: a literal or one plain `:name`. */
const PLAIN_SEGMENT = /^(?:[\w.~-]*|:[A-Za-z_]\w*)$/;

/**
 * A refusal names what to change about the route; anything else thrown while compiling means
 * Nest's internals are not what the fast route was tested with, and names the way out.
 */
function compileFastRoute(
  app: INestApplicationContext,
  target: FastRouteTarget,
  route: RouteOptions,
  offSwitch: string | undefined,
): RouteHandlerMethod {
  const name = `@FastRoute() on ${target.controller.name}.${target.method} (${String(route.method)} ${route.url})`;
  const refuse: Refusal = (why) =>
    new FastRouteRefusal(
      `${name}: ${why}. Serve it through Nest instead (drop @FastRoute()${offSwitch ? `, or start with ${offSwitch}` : ''}).`,
    );
  try {
    return compileHandler(app, target, route, refuse);
  } catch (error) {
    if (error instanceof FastRouteRefusal) throw error;
    throw new Error(
      `${name} cannot be compiled against the installed Nest: ${(error as Error).message}. ${internalsAdvice(offSwitch)}`,
      { cause: error },
    );
  }
}

function compileHandler(
  app: INestApplicationContext,
  { controller, method }: FastRouteTarget,
  route: RouteOptions,
  refuse: Refusal,
): RouteHandlerMethod {
  const callback = callbackOf({ controller, method });
  const config = app.get(ApplicationConfig, { strict: false });
  const filter = onlyCatchAllFilter(config, refuse);
  const pipes = globalPipes(config, refuse);
  const guard = apiKeyGuardOf(app, config, controller, callback, refuse);
  refuseUnsupported(controller, callback, refuse);
  const scopes: readonly Scope[] = routeScopes(controller, callback) ?? [];
  const parameters = compileParameters(controller, method, callback, pipes, refuse);
  const requestMethod = Reflect.getMetadata(METHOD_METADATA, callback) as RequestMethod | undefined;
  // Metadata Nest must have for this route, absent where it is read: the internals moved.
  if (requestMethod === undefined) throw new Error('no request method metadata on the method');
  const declaresScopes =
    Reflect.hasMetadata(SCOPES_METADATA, callback) || Reflect.hasMetadata(SCOPES_METADATA, controller);
  if (declaresScopes && !guard)
    throw new Error('@RequireScopes is declared but no ApiKeyGuard is in the guard metadata');
  const unbound = unboundParameters(parameters, callback.length);
  if (unbound.length > 0)
    throw new Error(`no route argument metadata for parameter ${unbound.join(', ')} (an undecorated parameter?)`);
  const argsLength = parameters.reduce((length, p) => Math.max(length, p.index + 1), 0);
  const status: number =
    Reflect.getMetadata(HTTP_CODE_METADATA, callback) ?? (requestMethod === RequestMethod.POST ? 201 : 200);
  const headers: ResponseHeader[] = Reflect.getMetadata(HEADERS_METADATA, callback) ?? [];
  const segments = route.url.split('/');
  if (!segments.every((segment) => PLAIN_SEGMENT.test(segment)))
    throw refuse('only literal and plain `:name` path segments are supported');
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

function callbackOf({ controller, method }: FastRouteTarget): (...args: unknown[]) => unknown {
  return (controller.prototype as Record<string, (...args: unknown[]) => unknown>)[method];
}

/** Every @FastRoute() method of the app's controllers, by the mark on the method itself. */
function markedRoutes(app: INestApplicationContext): FastRouteTarget[] {
  const scanner = new MetadataScanner();
  const controllers = new Set<Type>();
  for (const moduleRef of app.get(ModulesContainer, { strict: false }).values()) {
    for (const { metatype } of moduleRef.controllers.values()) if (metatype) controllers.add(metatype as Type);
  }
  return [...controllers].flatMap((controller) =>
    scanner
      .getAllMethodNames(controller.prototype as object)
      .filter((method) => Reflect.hasMetadata(FAST_ROUTE_METADATA, callbackOf({ controller, method })))
      .map((method) => ({ controller, method })),
  );
}

/** Indexes below the method's arity that no route argument binds (Nest would pass undefined there). */
function unboundParameters(parameters: Parameter[], arity: number): number[] {
  const bound = new Set(parameters.map((parameter) => parameter.index));
  return Array.from({ length: arity }, (_, index) => index).filter((index) => !bound.has(index));
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
