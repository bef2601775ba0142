import { StandardSchemaValidationPipe, type ArgumentMetadata, type ExceptionFilter, type INestApplicationContext, type PipeTransform, type Type } from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  FILTER_CATCH_EXCEPTIONS,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HOST_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PARAMTYPES_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common/enums/request-method.enum.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ApplicationConfig } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { ParamsTokenFactory } from '@nestjs/core/pipes/params-token-factory.js';
import { RouteParamsFactory } from '@nestjs/core/router/route-params-factory.js';
import { ApiKeyGuard, PRINCIPAL_PROPERTY, routeScopes, type RequestWithPrincipal, type Scope } from '@metaloop/auth';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify';
import { FAST_ROUTE_CONFIG, type FastRouteTarget } from './fast-route.decorator';

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

interface RouteArgument {
  index: number;
  data?: string;
  pipes?: unknown[];
  schema?: unknown;
  factory?: (data: unknown, context: ExecutionContextHost) => unknown;
}

interface Parameter {
  index: number;
  extract: (request: FastifyRequest, reply: FastifyReply) => unknown;
  metadata: ArgumentMetadata;
  /** The app's global pipes that apply to it, in order, as Nest applies them. */
  pipes: PipeTransform[];
}

interface ResponseHeader {
  name: string;
  value: string | (() => string);
}

/** Parameter types Nest runs pipes on (RouterExecutionContext.isPipeable). */
const PIPEABLE = new Set<RouteParamtypes>([
  RouteParamtypes.BODY,
  RouteParamtypes.RAW_BODY,
  RouteParamtypes.QUERY,
  RouteParamtypes.PARAM,
  RouteParamtypes.FILE,
  RouteParamtypes.FILES,
  RouteParamtypes.COOKIES,
  RouteParamtypes.SIGNED_COOKIES,
]);
/** Segments find-my-way and path-to-regexp read alike: a literal or one plain `:name`. */
const PLAIN_SEGMENT = /^(?:[\w.~-]*|:[A-Za-z_]\w*)$/;

function compileFastRoute(app: INestApplicationContext, { controller, method }: FastRouteTarget, route: RouteOptions): RouteHandlerMethod {
  const refuse = (why: string): Error =>
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
  const instance = app.get(controller, { strict: false });

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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function hasEmptyParam(params: Record<string, string>): boolean {
  for (const name in params) if (params[name] === '') return true;
  return false;
}

function onlyCatchAllFilter(config: ApplicationConfig, refuse: (why: string) => Error): ExceptionFilter {
  const filters = config.getGlobalFilters();
  const catchesAll = filters.length === 1 && (Reflect.getMetadata(FILTER_CATCH_EXCEPTIONS, filters[0]!.constructor) ?? []).length === 0;
  if (!catchesAll || config.getGlobalRequestFilters().length > 0) throw refuse('the app needs exactly one global catch-all exception filter');
  return filters[0]!;
}

function globalPipes(config: ApplicationConfig, refuse: (why: string) => Error): PipeTransform[] {
  if (config.getGlobalRequestPipes().length > 0) throw refuse('request-scoped global pipes are not supported');
  return config.getGlobalPipes();
}

/** ApiKeyGuard when the route is guarded (by @RequireScopes); any other guard or interceptor, global or not, is refused. */
function apiKeyGuardOf(
  app: INestApplicationContext,
  config: ApplicationConfig,
  controller: Type,
  callback: object,
  refuse: (why: string) => Error,
): ApiKeyGuard | undefined {
  const globalEnhancers = [config.getGlobalGuards(), config.getGlobalRequestGuards(), config.getGlobalInterceptors(), config.getGlobalRequestInterceptors()];
  if (globalEnhancers.some((list) => list.length > 0)) throw refuse('global guards and interceptors are not supported');
  const guards: unknown[] = [...(Reflect.getMetadata(GUARDS_METADATA, controller) ?? []), ...(Reflect.getMetadata(GUARDS_METADATA, callback) ?? [])];
  if (guards.some((guard) => guard !== ApiKeyGuard)) throw refuse('guards other than ApiKeyGuard (@RequireScopes) are not supported');
  return guards.length > 0 ? app.get(ApiKeyGuard, { strict: false }) : undefined;
}

function refuseUnsupported(controller: Type, callback: object, refuse: (why: string) => Error): void {
  for (const [key, what] of [
    [INTERCEPTORS_METADATA, 'interceptors'],
    [PIPES_METADATA, '@UsePipes'],
    [EXCEPTION_FILTERS_METADATA, '@UseFilters'],
  ] as const) {
    const declared = [...(Reflect.getMetadata(key, controller) ?? []), ...(Reflect.getMetadata(key, callback) ?? [])];
    if (declared.length > 0) throw refuse(`${what} are not supported`);
  }
  for (const [key, what] of [
    [REDIRECT_METADATA, '@Redirect'],
    [RENDER_METADATA, '@Render'],
    [SSE_METADATA, '@Sse'],
    [VERSION_METADATA, '@Version'],
  ] as const) {
    if (Reflect.getMetadata(key, callback) !== undefined) throw refuse(`${what} is not supported`);
  }
  if (Reflect.getMetadata(VERSION_METADATA, controller) !== undefined || Reflect.getMetadata(HOST_METADATA, controller) !== undefined) {
    throw refuse('versioned and host-bound controllers are not supported');
  }
}

/** Each argument as Nest's RouteParamsFactory extracts it, with the pipes and pipe metadata Nest would use. */
function compileParameters(controller: Type, method: string, callback: object, globalPipes: PipeTransform[], refuse: (why: string) => Error): Parameter[] {
  const declared: Record<string, RouteArgument> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
  const paramtypes: unknown[] = Reflect.getMetadata(PARAMTYPES_METADATA, controller.prototype as object, method) ?? [];
  const values = new RouteParamsFactory();
  const tokens = new ParamsTokenFactory();
  return Object.entries(declared).map(([key, argument]): Parameter => {
    if (argument.pipes && argument.pipes.length > 0) throw refuse('parameter pipes are not supported (the global pipes and `schema` are)');
    const { index, data, schema } = argument;
    const metatype = paramtypes[index] as Type | undefined;
    const custom = key.includes(CUSTOM_ROUTE_ARGS_METADATA);
    const type = custom ? undefined : (Number(key.split(':')[0]) as RouteParamtypes);
    const metadata = { type: type === undefined ? 'custom' : tokens.exchangeEnumForString(type), data, metatype, schema } as ArgumentMetadata;
    const pipes = type === undefined || PIPEABLE.has(type) ? globalPipes.filter((pipe) => !passesThrough(pipe, metadata)) : [];
    if (type === undefined) {
      const factory = argument.factory!;
      const extract = (request: FastifyRequest, reply: FastifyReply) => {
        const context = new ExecutionContextHost([request, reply], controller, callback as (...args: unknown[]) => unknown);
        context.setType('http');
        return factory(data, context);
      };
      return { index, extract, metadata, pipes };
    }
    if (type === RouteParamtypes.RESPONSE && !Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, method)) {
      throw refuse('@Res() needs { passthrough: true }: the method returns the body');
    }
    if (type === RouteParamtypes.NEXT) throw refuse('@Next() is not supported');
    const extract = (request: FastifyRequest, reply: FastifyReply) => values.exchangeKeyForValue(type, data!, { req: request, res: reply, next: undefined! });
    return { index, extract, metadata, pipes };
  });
}

/**
 * Whether a pipe hands this parameter back untouched, so awaiting it would be waste: Nest's
 * StandardSchemaValidationPipe (not a subclass, which may transform more) for a parameter
 * without a schema returns the value as is.
 */
function passesThrough(pipe: PipeTransform, metadata: ArgumentMetadata): boolean {
  return pipe.constructor === StandardSchemaValidationPipe && !metadata.schema;
}
