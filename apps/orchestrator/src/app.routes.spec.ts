import { routeAudit } from '@metaloop/platform';
import { orchestratorHarness, type OrchestratorHarness } from './__tests__/orchestrator-harness';

/**
 * The only routes of orchestrator anyone may call without an API key; a route added without
 * @RequireScopes(...) fails here. (bull-board at /queues is a Fastify plugin with its own admin
 * check: see board/queue-board.spec.ts.)
 */
const PUBLIC_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];

describe('orchestrator routes', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await orchestratorHarness('orchestrator_routes');
  });
  afterAll(() => h?.dispose());

  it('needs an API key scope on every route but health and metrics, and audits what the server serves', () => {
    expect(routeAudit(h.app)).toEqual({ open: PUBLIC_ROUTES, unserved: [] });
  });
});
