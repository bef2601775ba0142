import { randomUUID } from 'node:crypto';
import { uuidv7 } from '@metaloop/core';
import { oracleHarness, type OracleHarness } from './__tests__/oracle-harness';

/** Bad ids in paths and queries are the client's mistake: a 400 naming the parameter, or a 404, never a 500. */
describe('path and query parameters (oracle-api)', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    h = await oracleHarness('app_params');
  });
  afterAll(() => h?.dispose());

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    h.apps[0]!.inject({ method, url, ...(payload ? { payload } : {}) });

  const expectBadParameter = async (method: 'GET' | 'POST', url: string, parameter: string, payload?: object) => {
    const response = await call(method, url, payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual([parameter]);
  };

  it.each([
    ['/api/v1/agents/a%00b', 'agent_id'],
    ['/api/v1/agents/a%00b/candidates', 'agent_id'],
    ['/api/v1/agents/a%00b/revisions', 'agent_id'],
    ['/api/v1/agents/a/revisions/rev%00', 'revision_id'],
    ['/api/v1/agents/a/revisions/rev%00/diff/rev_b', 'from_revision_id'],
    ['/api/v1/agents/a/revisions/rev_a/diff/%00', 'to_revision_id'],
    ['/api/v1/oracle/audit?actor=%00', 'actor'],
    ['/api/v1/oracle/audit?entity_type=plan%00', 'entity_type'],
    ['/api/v1/oracle/audit?entity_id=%00', 'entity_id'],
    ['/api/v1/oracle/audit?action=plan.%00', 'action'],
    ['/api/v1/oracle/audit?cursor=99999999999999999999', 'cursor'],
    ['/api/v1/oracle/audit?cursor=9223372036854775808', 'cursor'],
    ['/api/v1/oracle/plans/not-a-uuid', 'plan_id'],
  ])('GET %s is a 400 naming %s', (url, parameter) => expectBadParameter('GET', url, parameter));

  const config = { model: 'gpt-4o', prompt: { version: 'v1', template: 'You are helpful.' } };
  it.each([
    ['/api/v1/agents/a%00b/deploy', 'agent_id', { config }],
    ['/api/v1/agents/a%00b/candidates', 'agent_id', { type: 'prompt', version: 'v2', template: 'Be brief.' }],
    ['/api/v1/oracle/plans/%00/approve', 'plan_id', {}],
    ['/api/v1/oracle/plans/%00/reject', 'plan_id', {}],
  ])('POST %s is a 400 naming %s', (url, parameter, body) => expectBadParameter('POST', url, parameter, body));

  it('documents the validated path parameters as before: required strings', async () => {
    const { paths } = (await call('GET', '/docs/json')).json();
    const parameters = (path: string, method: string) =>
      (paths[path][method].parameters as Array<{ in: string; name: string }>).filter((p) => p.in === 'path');
    expect(parameters('/api/v1/agents/{agent_id}/revisions/{from_revision_id}/diff/{to_revision_id}', 'get')).toEqual(
      ['agent_id', 'from_revision_id', 'to_revision_id'].map((name) =>
        expect.objectContaining({ name, required: true, schema: expect.objectContaining({ type: 'string' }) }),
      ),
    );
    expect(parameters('/api/v1/oracle/plans/{plan_id}/approve', 'post')).toEqual([
      expect.objectContaining({ name: 'plan_id', required: true, schema: expect.objectContaining({ type: 'string' }) }),
    ]);
  });

  it('answers a listing cursor that carries a NUL with a 400', async () => {
    const cursor = Buffer.from(JSON.stringify(['a\u0000'])).toString('base64url');
    const response = await call('GET', `/api/v1/agents?cursor=${cursor}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('pages the audit log from the largest bigint cursor', async () => {
    const response = await call('GET', '/api/v1/oracle/audit?cursor=9223372036854775807');
    expect(response.statusCode).toBe(200);
  });

  it('answers a plan id of any UUID version that names no plan as GET does: 404 on approve and reject too', async () => {
    for (const id of [randomUUID(), uuidv7()]) {
      const answers = await Promise.all([
        call('GET', `/api/v1/oracle/plans/${id}`),
        call('POST', `/api/v1/oracle/plans/${id}/approve`, {}),
        call('POST', `/api/v1/oracle/plans/${id}/reject`, {}),
        call('POST', '/api/v1/oracle/validate', { plan_id: id }),
        call('POST', '/api/v1/oracle/execute', { plan_id: id }),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([404, 404, 404, 404, 404]);
    }
  });

  it('refuses to plan for finding_ids that name no stored finding: a 404 naming them', async () => {
    const [unknown, other] = [uuidv7(), randomUUID()];
    const response = await call('POST', '/api/v1/oracle/plan', { finding_ids: [unknown, other] });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().detail).toContain(unknown);
    expect(response.json().detail).toContain(other);
    expect(await h.query(`SELECT id FROM plans`)).toEqual([]);
  });
});
