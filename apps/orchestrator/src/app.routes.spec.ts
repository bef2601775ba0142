import { listRoutes, routesWithoutScopes } from '@metaloop/auth';
import { orchestratorHarness, type OrchestratorHarness } from './__tests__/orchestrator-harness';

/**
 * The only routes of orchestrator anyone may call without an API key. Every other route must
 * declare what it needs with @RequireScopes(...) from @metaloop/auth; a route added without
 * it fails here. (bull-board at /queues is a Fastify plugin with its own admin check: see
 * board/queue-board.spec.ts.)
 */
const PUBLIC_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];

describe('orchestrator routes', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    // The real app against the real services, isolated: own schema, NATS prefix, Redis prefix.
    h = await orchestratorHarness('orchestrator_routes');
  });
  afterAll(() => h?.dispose());

  it('needs an API key scope on every route but health and metrics', () => {
    const open = routesWithoutScopes(h.app).map((route) => `${route.method} ${route.path}`);
    expect(open).toEqual(PUBLIC_ROUTES);
  });

  it('audits the routes the server really serves', () => {
    const fastify = h.app.getHttpAdapter().getInstance();
    const routes = listRoutes(h.app);
    expect(routes.length).toBeGreaterThanOrEqual(PUBLIC_ROUTES.length);
    for (const route of routes.filter((r) => r.method !== 'ALL')) {
      expect([route.method, route.path, fastify.hasRoute({ method: route.method as 'GET', url: route.path })]).toEqual([route.method, route.path, true]);
    }
  });
});
