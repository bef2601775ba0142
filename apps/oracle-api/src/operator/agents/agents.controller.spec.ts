import type { Msg } from '@nats-io/transport-node';
import { ApiKeysService, AuthModeService } from '@metaloop/auth';
import { RevisionsService } from '@metaloop/registry';
import { eventually } from '@metaloop/testing';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

const config = {
  model: 'gpt-4o-mini',
  prompt: { version: 'v1', template: 'You are a helpful assistant.\nAnswer in detail.' },
  params: { temperature: 0.7 },
};

describe('agent registry over REST (/api/v1/agents)', () => {
  let h: OracleHarness;
  const announced: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    h = await oracleHarness('agents_rest');
    h.nats.nc.subscribe(h.nats.topology.subjects.configChanged, {
      callback: (_error, msg: Msg) => void announced.push(msg.json()),
    });
    await h.nats.nc.flush();
  });

  afterAll(() => h?.dispose());

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    h.apps[0]!.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('registers an agent (201) with its baseline revision and announces it on config.changed', async () => {
    const response = await call('POST', '/api/v1/agents', {
      agent_id: 'helpful_assistant',
      name: 'Helpful',
      environment: 'prod',
      config,
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({ agent_id: 'helpful_assistant', revision_id: expect.stringMatching(/^rev_[0-9a-f]{24}$/) });
    await eventually(() =>
      expect(announced).toEqual([
        { agent_id: 'helpful_assistant', version: 1, reason: 'agent_created', changed_at: expect.any(String) },
      ]),
    );

    const agent = await call('GET', '/api/v1/agents/helpful_assistant');
    expect(agent.json()).toEqual({
      agent_id: 'helpful_assistant',
      name: 'Helpful',
      environment: 'prod',
      stable_revision_id: body.revision_id,
      active_rollout: null,
      created_at: expect.any(String),
    });
    const [revision] = await h.query(`SELECT created_by FROM revisions WHERE id = $1`, [body.revision_id]);
    expect(revision).toEqual({ created_by: 'anonymous' });
  });

  it('answers a duplicate agent id with a 409 problem', async () => {
    const response = await call('POST', '/api/v1/agents', {
      agent_id: 'helpful_assistant',
      environment: 'dev',
      config,
    });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 409, detail: 'agent "helpful_assistant" is already registered' });
  });

  it.each([
    ['an unknown environment', { agent_id: 'x', environment: 'qa', config }, ['environment']],
    ['an agent id that is no subject token', { agent_id: 'a.b', environment: 'dev', config }, ['agent_id']],
    ['a config without prompt', { agent_id: 'x', environment: 'dev', config: { model: 'm' } }, ['config.prompt']],
    [
      'a temperature out of range',
      { agent_id: 'x', environment: 'dev', config: { ...config, params: { temperature: 5 } } },
      ['config.params.temperature'],
    ],
    [
      'route weights that do not sum to 100',
      { agent_id: 'x', environment: 'dev', config: { ...config, route: { weights: { a: 50 } } } },
      ['config.route.weights'],
    ],
  ])('answers %s with a 400 problem naming the field', async (_case, payload, paths) => {
    const response = await call('POST', '/api/v1/agents', payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual(paths);
  });

  it('lists agents page by page and answers an unknown one with a 404 problem', async () => {
    for (const id of ['b1', 'b2'])
      expect((await call('POST', '/api/v1/agents', { agent_id: id, environment: 'staging', config })).statusCode).toBe(
        201,
      );
    const first = (await call('GET', '/api/v1/agents?limit=2')).json();
    expect(first.items.map((a: { agent_id: string }) => a.agent_id)).toEqual(['b1', 'b2']);
    const second = (await call('GET', `/api/v1/agents?limit=2&cursor=${first.next_cursor}`)).json();
    expect(second).toEqual({ items: [expect.objectContaining({ agent_id: 'helpful_assistant' })], next_cursor: null });
    expect((await call('GET', '/api/v1/agents?environment=prod')).json().items).toHaveLength(1);

    expect((await call('GET', '/api/v1/agents?limit=0')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/agents?cursor=bogus')).statusCode).toBe(400);
    const unknown = await call('GET', '/api/v1/agents/nobody');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('registers candidates (201), refuses a duplicate key of a type (409) and lists them by type', async () => {
    const model = {
      type: 'model',
      model: 'gpt-4o',
      provider: 'openai',
      cost_per_1k_in: 0.0025,
      cost_per_1k_out: 0.01,
      context_tokens: 128_000,
    };
    const created = await call('POST', '/api/v1/agents/helpful_assistant/candidates', model);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      ...model,
      candidate_id: expect.any(String),
      agent_id: 'helpful_assistant',
      key: 'gpt-4o',
      created_at: expect.any(String),
    });
    expect((await call('POST', '/api/v1/agents/helpful_assistant/candidates', model)).statusCode).toBe(409);
    const prompt = { type: 'prompt', version: 'v2', template: 'Be brief.' };
    expect((await call('POST', '/api/v1/agents/helpful_assistant/candidates', prompt)).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/agents/nobody/candidates', prompt)).statusCode).toBe(404);
    const invalid = await call('POST', '/api/v1/agents/helpful_assistant/candidates', { type: 'model', model: 'm' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'provider',
      'cost_per_1k_in',
      'cost_per_1k_out',
    ]);

    const prompts = (await call('GET', '/api/v1/agents/helpful_assistant/candidates?type=prompt')).json();
    expect(prompts.items.map((c: { key: string }) => c.key)).toEqual(['v2']);
    expect((await call('GET', '/api/v1/agents/helpful_assistant/candidates')).json().items).toHaveLength(2);
    expect((await call('GET', '/api/v1/agents/helpful_assistant/candidates?type=dataset')).statusCode).toBe(400);
  });

  it('lists revisions and diffs two of them', async () => {
    const [agent] = await h.query<{ stable_revision_id: string }>(
      `SELECT stable_revision_id FROM agents WHERE id = 'helpful_assistant'`,
    );
    const concise = { ...config, prompt: { version: 'v2', template: 'You are a helpful assistant.\nAnswer briefly.' } };
    const child = await h.apps[0]!.get(RevisionsService).createRevision(
      'helpful_assistant',
      agent!.stable_revision_id,
      concise,
      'PROMPT_PATCH',
      null,
      'spec',
    );

    const list = (await call('GET', '/api/v1/agents/helpful_assistant/revisions?limit=10')).json();
    expect(list.items.map((r: { revision_id: string }) => r.revision_id)).toEqual([
      child.revision_id,
      agent!.stable_revision_id,
    ]);
    expect(list.items[0]).toMatchObject({
      parent_id: agent!.stable_revision_id,
      mutation_type: 'PROMPT_PATCH',
      config: { prompt: concise.prompt },
    });
    expect((await call('GET', `/api/v1/agents/helpful_assistant/revisions/${child.revision_id}`)).json()).toEqual(
      list.items[0],
    );

    const diff = await call(
      'GET',
      `/api/v1/agents/helpful_assistant/revisions/${agent!.stable_revision_id}/diff/${child.revision_id}`,
    );
    expect(diff.statusCode).toBe(200);
    expect(diff.json()).toMatchObject({
      changes: [
        { path: 'prompt.template', kind: 'changed' },
        { path: 'prompt.version', kind: 'changed', before: 'v1', after: 'v2' },
      ],
      prompt_template_diff: [
        { op: 'equal', text: 'You are a helpful assistant.' },
        { op: 'removed', text: 'Answer in detail.' },
        { op: 'added', text: 'Answer briefly.' },
      ],
    });
    expect(
      (await call('GET', `/api/v1/agents/helpful_assistant/revisions/${child.revision_id}/diff/rev_nope`)).statusCode,
    ).toBe(404);
    expect((await call('GET', '/api/v1/agents/nobody/revisions')).statusCode).toBe(404);
  });

  it('shows the registry in the OpenAPI document', async () => {
    const spec = (await call('GET', '/docs/json')).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/agents',
        '/api/v1/agents/{agent_id}',
        '/api/v1/agents/{agent_id}/candidates',
        '/api/v1/agents/{agent_id}/revisions',
        '/api/v1/agents/{agent_id}/revisions/{from_revision_id}/diff/{to_revision_id}',
      ]),
    );
    expect(JSON.stringify(spec.paths['/api/v1/agents'].post)).toContain('environment');
  });

  // Last: a key turns enforcement on for the rest of the suite.
  it('needs oracle:write to register and oracle:read to read', async () => {
    const reader = await h.apps[0]!.get(ApiKeysService).create({ name: 'reader', scopes: ['oracle:read'] });
    await h.apps[0]!.get(AuthModeService).refresh();
    const auth = { authorization: `Bearer ${reader.key}` };
    expect((await call('GET', '/api/v1/agents', undefined, auth)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/agents')).statusCode).toBe(401);
    const denied = await call('POST', '/api/v1/agents', { agent_id: 'z', environment: 'dev', config }, auth);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toMatch(/oracle:write/);
    expect(
      (
        await call(
          'POST',
          '/api/v1/agents/helpful_assistant/candidates',
          { type: 'prompt', version: 'v9', template: 't' },
          auth,
        )
      ).statusCode,
    ).toBe(403);
  });
});
