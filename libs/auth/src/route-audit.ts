import { RequestMethod, type INestApplicationContext, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_PATH, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import type { Scope } from './scopes';
import { SCOPES_METADATA } from './scopes.metadata';

/** One HTTP route of an app's controllers and what it takes to call it. */
interface RouteAccess {
  /** GET, POST, … (ALL for @All). */
  method: string;
  /** Controller path, method path, RouterModule path and global prefix joined: `/health/live`. */
  path: string;
  controller: string;
  handler: string;
  /** The scopes @RequireScopes declares (handler or controller); null: the route is public. */
  scopes: Scope[] | null;
}

/**
 * Every HTTP route of the app's controllers, found by reflection over the modules Nest
 * scanned (works right after NestFactory.create or Test.createTestingModule().compile(); no
 * listen needed). Routes registered outside controllers (e.g. /docs by Swagger) are not
 * Nest routes and are not listed; versioning prefixes are not applied.
 */
export function listRoutes(app: INestApplicationContext): RouteAccess[] {
  const modules = app.get(ModulesContainer, { strict: false });
  const scanner = new MetadataScanner();
  const globalPrefix = (app as { config?: { getGlobalPrefix?: () => string } }).config?.getGlobalPrefix?.() ?? '';
  const routes: RouteAccess[] = [];
  const seen = new Set<Type>();
  for (const moduleRef of modules.values()) {
    const modulePath: string =
      Reflect.getMetadata(MODULE_PATH + modules.applicationId, moduleRef.metatype) ??
      Reflect.getMetadata(MODULE_PATH, moduleRef.metatype) ??
      '';
    for (const wrapper of moduleRef.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const controllerPaths = asArray<string>(Reflect.getMetadata(PATH_METADATA, controller) ?? '/');
      for (const handlerName of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[handlerName] as object;
        const methodPath: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, handler);
        if (methodPath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] ?? 'GET';
        const scopes = routeScopes(controller, handler);
        for (const controllerPath of controllerPaths) {
          for (const path of asArray(methodPath)) {
            routes.push({
              method,
              path: joinPath(globalPrefix, modulePath, controllerPath, path),
              controller: controller.name,
              handler: handlerName,
              scopes,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => compare(a.path, b.path) || compare(a.method, b.method));
}

/**
 * The routes anyone may call: no @RequireScopes on the handler or its controller. An app's
 * test asserts this is exactly its deliberately public routes (health, metrics), so an
 * undecorated new route fails the build.
 */
export function routesWithoutScopes(app: INestApplicationContext): RouteAccess[] {
  return listRoutes(app).filter((route) => route.scopes === null);
}

/**
 * The scopes a controller method's route enforces: those @RequireScopes declares on it or its
 * controller, and only while ApiKeyGuard is in force; null for a public route.
 */
export function routeScopes(controller: Type, handler: object): Scope[] | null {
  const scopes: Scope[] | undefined =
    Reflect.getMetadata(SCOPES_METADATA, handler) ?? Reflect.getMetadata(SCOPES_METADATA, controller);
  const guards: unknown[] = [
    ...(Reflect.getMetadata(GUARDS_METADATA, handler) ?? []),
    ...(Reflect.getMetadata(GUARDS_METADATA, controller) ?? []),
  ];
  return scopes && guards.includes(ApiKeyGuard) ? [...scopes] : null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function joinPath(...segments: string[]): string {
  const joined = segments
    .flatMap((segment) => segment.split('/'))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}
