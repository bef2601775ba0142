import { routeAudit } from '@metaloop/platform';
import { configHarness, type ConfigHarness } from './__tests__/config-harness';

/** The only routes of feedback-api anyone may call without an API key; a route added without @RequireScopes(...) fails here. */
const PUBLIC_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];

describe('feedback-api routes', () => {
  let h: ConfigHarness;

  beforeAll(async () => {
    h = await configHarness('feedback_api_routes', {}, 1);
  });
  afterAll(() => h?.dispose());

  it('needs an API key scope on every route but health and metrics, and audits what the server serves', () => {
    expect(routeAudit(h.replicas[0]!)).toEqual({ open: PUBLIC_ROUTES, unserved: [] });
  });
});
