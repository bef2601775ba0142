import type { ExceptionFilter, INestApplicationContext, PipeTransform, Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  FILTER_CATCH_EXCEPTIONS,
  GUARDS_METADATA,
  HOST_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  SSE_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/constants.js';
import type { ApplicationConfig } from '@nestjs/core';
import { ApiKeyGuard } from '@metaloop/auth';

/*
 * What a fast route takes over from Nest's pipeline, found once at start: the app's exception
 * filter and global pipes, and ApiKeyGuard. Anything it would not run stops the app instead.
 */

export type Refusal = (why: string) => Error;

export function onlyCatchAllFilter(config: ApplicationConfig, refuse: Refusal): ExceptionFilter {
  const filters = config.getGlobalFilters();
  const catchesAll =
    filters.length === 1 && (Reflect.getMetadata(FILTER_CATCH_EXCEPTIONS, filters[0]!.constructor) ?? []).length === 0;
  if (!catchesAll || config.getGlobalRequestFilters().length > 0)
    throw refuse('the app needs exactly one global catch-all exception filter');
  return filters[0]!;
}

export function globalPipes(config: ApplicationConfig, refuse: Refusal): PipeTransform[] {
  if (config.getGlobalRequestPipes().length > 0) throw refuse('request-scoped global pipes are not supported');
  return config.getGlobalPipes();
}

/** ApiKeyGuard when the route is guarded (by @RequireScopes); any other guard or interceptor, global or not, is refused. */
export function apiKeyGuardOf(
  app: INestApplicationContext,
  config: ApplicationConfig,
  controller: Type,
  callback: object,
  refuse: Refusal,
): ApiKeyGuard | undefined {
  const globalEnhancers = [
    config.getGlobalGuards(),
    config.getGlobalRequestGuards(),
    config.getGlobalInterceptors(),
    config.getGlobalRequestInterceptors(),
  ];
  if (globalEnhancers.some((list) => list.length > 0)) throw refuse('global guards and interceptors are not supported');
  const guards: unknown[] = [
    ...(Reflect.getMetadata(GUARDS_METADATA, controller) ?? []),
    ...(Reflect.getMetadata(GUARDS_METADATA, callback) ?? []),
  ];
  if (guards.some((guard) => guard !== ApiKeyGuard))
    throw refuse('guards other than ApiKeyGuard (@RequireScopes) are not supported');
  return guards.length > 0 ? app.get(ApiKeyGuard, { strict: false }) : undefined;
}

export function refuseUnsupported(controller: Type, callback: object, refuse: Refusal): void {
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
  if (
    Reflect.getMetadata(VERSION_METADATA, controller) !== undefined ||
    Reflect.getMetadata(HOST_METADATA, controller) !== undefined
  ) {
    throw refuse('versioned and host-bound controllers are not supported');
  }
}
