import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { listRoutes, routesWithoutScopes } from '@metaloop/auth';

interface RouteAuditReport {
  /** `METHOD /path` of every route anyone may call without an API key. */
  open: string[];
  /** Routes the controllers declare that the Fastify server does not serve (the audit would be blind to them). */
  unserved: string[];
}

/**
 * What an app exposes without a key, and whether the audit sees what the server really serves.
 * Each app's app.routes.spec.ts holds `open` to its deliberate public routes, so a route added
 * without @RequireScopes fails the build.
 */
export function routeAudit(app: NestFastifyApplication): RouteAuditReport {
  const fastify = app.getHttpAdapter().getInstance();
  return {
    open: routesWithoutScopes(app).map((route) => `${route.method} ${route.path}`),
    unserved: listRoutes(app)
      .filter(
        (route) => route.method !== 'ALL' && !fastify.hasRoute({ method: route.method as 'GET', url: route.path }),
      )
      .map((route) => `${route.method} ${route.path}`),
  };
}
