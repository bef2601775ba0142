import { ApiKeysService, AuthModeService } from '@metaloop/auth';
import { orchestratorHarness, type OrchestratorHarness } from '../__tests__/orchestrator-harness';

describe('bull-board at /queues', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await orchestratorHarness('orch_board');
  });
  afterAll(() => h?.dispose());

  it('serves the board and its API only to a key with the admin scope', async () => {
    const keys = h.app.get(ApiKeysService);
    const admin = await keys.create({ name: 'ops', scopes: ['admin'] });
    const reader = await keys.create({ name: 'reader', scopes: ['oracle:read'] });
    await h.app.get(AuthModeService).refresh();
    const get = (url: string, key?: string) =>
      h.app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

    const anonymous = await get('/queues');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer realm="metaloop"/);
    expect((await get('/queues/api/queues', reader.key)).statusCode).toBe(403);

    const page = await get('/queues', admin.key);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/metaloop orchestrator/);
    const api = await get('/queues/api/queues', admin.key);
    expect(api.statusCode).toBe(200);
    expect((JSON.parse(api.body) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort()).toEqual([
      'plans',
      'reverts',
      'rollouts',
    ]);
  });
});
