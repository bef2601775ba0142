import { routeAudit } from '@metaloop/platform';
import { oracleHarness, type OracleHarness } from './__tests__/oracle-harness';

/** The only routes of oracle-api anyone may call without an API key; a route added without @RequireScopes(...) fails here. */
const PUBLIC_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];

describe('oracle-api routes', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    h = await oracleHarness('oracle_api_routes');
  });
  afterAll(() => h?.dispose());

  it('needs an API key scope on every route but health and metrics, and audits what the server serves', () => {
    expect(routeAudit(h.apps[0]!)).toEqual({ open: PUBLIC_ROUTES, unserved: [] });
  });
});
