import type { Msg } from '@nats-io/transport-node';
import { ApiKeysService, AuthModeService } from '@metaloop/auth';
import { RevisionsService } from '@metaloop/registry';
import { eventually } from '@metaloop/testing';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

const good = {
  model: 'gpt-4o-mini',
  prompt: { version: 'v1', template: 'You are a helpful assistant.' },
  params: { temperature: 0.7 },
};
const bad = { ...good, prompt: { version: 'v1-hotfix', template: 'Answer in as many words as you can.' } };

describe('operator deploy over REST (POST /api/v1/agents/{agent_id}/deploy)', () => {
  let h: OracleHarness;
  const announced: Array<{ agent_id: string; version: number; reason: string }> = [];

  beforeAll(async () => {
    h = await oracleHarness('agents_deploy');
    h.nats.nc.subscribe(h.nats.topology.subjects.configChanged, {
      callback: (_error, msg: Msg) => void announced.push(msg.json()),
    });
    await h.nats.nc.flush();
  });

  afterAll(() => h?.dispose());

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    h.apps[0]!.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const deploy = (agentId: string, body: unknown, headers: Record<string, string> = {}) =>
    call('POST', `/api/v1/agents/${agentId}/deploy`, body, headers);
  const agentRow = async (agentId: string) =>
    (
      await h.query<{ stable_revision_id: string; config_version: number }>(
        `SELECT stable_revision_id, config_version FROM agents WHERE id = $1`,
        [agentId],
      )
    )[0]!;
  const auditOf = (agentId: string) =>
    h.query<{ actor: string; reason: string | null; details: Record<string, unknown> }>(
      `SELECT actor, reason, details FROM audit_entries WHERE agent_id = $1 AND action = 'agent.deployed' ORDER BY id`,
      [agentId],
    );
  const promptCandidates = async (agentId: string) =>
    (await call('GET', `/api/v1/agents/${agentId}/candidates?type=prompt`))
      .json()
      .items.map((c: { key: string; template: string }) => [c.key, c.template]);

  async function register(agentId: string): Promise<string> {
    const response = await call('POST', '/api/v1/agents', { agent_id: agentId, environment: 'prod', config: good });
    expect(response.statusCode).toBe(201);
    return response.json().revision_id;
  }

  /** A rollout of the agent in `status`, holding the agent as the orchestrator leaves it. */
  async function rolloutOf(agentId: string, stable: string, status: 'pending' | 'running' | 'paused'): Promise<string> {
    const candidate = await h.apps[0]!.get(RevisionsService).createRevision(
      agentId,
      stable,
      { ...good, model: 'gpt-4o' },
      'MODEL_SWAP',
      null,
      'test',
    );
    const [{ id }] = await h.query<{ id: string }>(
      `INSERT INTO rollouts (id, agent_id, mutation_type, stable_revision_id, candidate_revision_id, status, weight_bp, step_index, steps, rollback_key, started_at, updated_at)
       VALUES (gen_random_uuid(), $1, 'MODEL_SWAP', $2, $3, $4, 500, 0, '{5,25,50,100}', $5, now(), now()) RETURNING id`,
      [agentId, stable, candidate.revision_id, status, `rollback_${agentId}_${status}`],
    );
    await h.query(`UPDATE agents SET active_rollout_id = $1 WHERE id = $2`, [id, agentId]);
    return id;
  }

  it('makes the config the stable revision at once: a child of the old one, announced, audited, the replaced prompt a candidate', async () => {
    const original = await register('ops_agent');
    const before = await agentRow('ops_agent');
    const response = await deploy('ops_agent', { config: bad, reason: 'prompt hotfix from the on-call' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      agent_id: 'ops_agent',
      revision_id: expect.stringMatching(/^rev_[0-9a-f]{24}$/),
      previous_revision_id: original,
      changed: true,
      registered_prompt_candidate: 'v1',
    });

    expect(await agentRow('ops_agent')).toEqual({
      stable_revision_id: body.revision_id,
      config_version: before.config_version + 1,
    });
    expect((await call('GET', '/api/v1/agents/ops_agent')).json()).toMatchObject({
      stable_revision_id: body.revision_id,
      active_rollout: null,
    });
    expect((await call('GET', `/api/v1/agents/ops_agent/revisions/${body.revision_id}`)).json()).toMatchObject({
      parent_id: original,
      mutation_type: null,
      config: { prompt: bad.prompt },
      change_summary: { source: 'deploy', reason: 'prompt hotfix from the on-call' },
      created_by: 'anonymous',
    });
    await eventually(() =>
      expect(announced).toContainEqual(
        expect.objectContaining({ agent_id: 'ops_agent', version: before.config_version + 1, reason: 'deployed' }),
      ),
    );
    expect(await auditOf('ops_agent')).toEqual([
      {
        actor: 'anonymous',
        reason: 'prompt hotfix from the on-call',
        details: {
          from_revision_id: original,
          to_revision_id: body.revision_id,
          config_version: before.config_version + 1,
          changed_paths: ['prompt.template', 'prompt.version'],
          registered_prompt_candidate: 'v1',
        },
      },
    ]);
    // The loop can go back to the last good prompt.
    expect(await promptCandidates('ops_agent')).toEqual([['v1', good.prompt.template]]);
  });

  it('answers the stable config 200 with nothing changed: no new version, no message, no audit entry', async () => {
    const before = await agentRow('ops_agent');
    const messages = announced.length;
    const response = await deploy('ops_agent', { config: bad });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      agent_id: 'ops_agent',
      revision_id: before.stable_revision_id,
      previous_revision_id: before.stable_revision_id,
      changed: false,
      registered_prompt_candidate: null,
    });
    expect(await agentRow('ops_agent')).toEqual(before);
    expect(await auditOf('ops_agent')).toHaveLength(1);
    // A later message would follow this one on the same connection: none came in between.
    await deploy('ops_agent', { config: { ...bad, params: { temperature: 0.3 } } });
    await eventually(() => expect(announced.length).toBe(messages + 1));
    expect(announced.at(-1)).toMatchObject({ agent_id: 'ops_agent', version: before.config_version + 1 });
  });

  it('goes back to an earlier config as that same revision, and registers a replaced prompt only once', async () => {
    const original = (
      await h.query<{ id: string }>(`SELECT id FROM revisions WHERE agent_id = 'ops_agent' AND parent_id IS NULL`)
    )[0]!.id;
    const response = await deploy('ops_agent', { config: good, reason: 'back to the last good prompt' });
    expect(response.json()).toMatchObject({
      revision_id: original,
      changed: true,
      registered_prompt_candidate: 'v1-hotfix',
    });
    expect(await promptCandidates('ops_agent')).toEqual([
      ['v1', good.prompt.template],
      ['v1-hotfix', bad.prompt.template],
    ]);
    // Only the model changes: no prompt is replaced.
    const model = await deploy('ops_agent', { config: { ...good, model: 'gpt-4o' } });
    expect(model.json()).toMatchObject({ changed: true, registered_prompt_candidate: null });
    // v1 is replaced again, and is a candidate already.
    expect((await deploy('ops_agent', { config: bad })).json()).toMatchObject({
      changed: true,
      registered_prompt_candidate: null,
    });
    expect(await promptCandidates('ops_agent')).toHaveLength(2);
  });

  it.each(['pending', 'running', 'paused'] as const)(
    'refuses (409) while a rollout is %s, and deploys once it is rolled back',
    async (status) => {
      const agentId = `held_${status}`;
      const stable = await register(agentId);
      const rolloutId = await rolloutOf(agentId, stable, status);
      const before = await agentRow(agentId);
      const refused = await deploy(agentId, { config: bad });
      expect(refused.statusCode).toBe(409);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({
        status: 409,
        type: 'urn:metaloop:problem:deploy-refused',
        rollout_id: rolloutId,
        rollout_status: status,
      });
      expect(refused.json().detail).toMatch(/roll it back/);
      expect(await agentRow(agentId)).toEqual(before);
      expect(await auditOf(agentId)).toEqual([]);
      expect(await promptCandidates(agentId)).toEqual([]);

      expect(
        (await call('POST', '/api/v1/oracle/rollback', { rollout_id: rolloutId, reason: 'make way for a deploy' }))
          .statusCode,
      ).toBe(200);
      const deployed = await deploy(agentId, { config: bad });
      expect(deployed.statusCode).toBe(200);
      expect(deployed.json()).toMatchObject({ previous_revision_id: stable, changed: true });
    },
  );

  it('answers an unknown agent 404 and a bad body 400 naming the field', async () => {
    const unknown = await deploy('nobody', { config: good });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ status: 404, detail: 'agent "nobody" is not registered' });
    for (const [body, paths] of [
      [{}, ['config']],
      [{ config: { model: 'm' } }, ['config.prompt']],
      [{ config: { ...good, params: { temperature: 5 } } }, ['config.params.temperature']],
      [{ config: good, reason: '' }, ['reason']],
      [{ config: good, stable: true }, ['']],
    ] as const) {
      const response = await deploy('ops_agent', body);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual(paths);
    }
  });

  it('honours Idempotency-Key: a retry replays the answer without deploying twice', async () => {
    await register('idem_agent');
    const headers = { 'idempotency-key': 'deploy-idem-1' };
    const first = await deploy('idem_agent', { config: bad, reason: 'once' }, headers);
    const retry = await deploy('idem_agent', { config: bad, reason: 'once' }, headers);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    expect(await auditOf('idem_agent')).toHaveLength(1);
    expect((await deploy('idem_agent', { config: good }, headers)).statusCode).toBe(422);
  });

  it('shows the route in the OpenAPI document, saying the replaced prompt becomes a candidate', async () => {
    const spec = (await call('GET', '/docs/json')).json();
    const operation = JSON.stringify(spec.paths['/api/v1/agents/{agent_id}/deploy'].post);
    expect(operation).toContain('prompt candidate');
    expect(operation).toContain('409');
  });

  // Last: a key turns enforcement on for the rest of the suite.
  it('needs oracle:write', async () => {
    const reader = await h.apps[0]!.get(ApiKeysService).create({ name: 'reader', scopes: ['oracle:read'] });
    const writer = await h.apps[0]!.get(ApiKeysService).create({ name: 'writer', scopes: ['oracle:write'] });
    await h.apps[0]!.get(AuthModeService).refresh();
    const denied = await deploy('ops_agent', { config: good }, { authorization: `Bearer ${reader.key}` });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toMatch(/oracle:write/);
    const allowed = await deploy(
      'ops_agent',
      { config: { ...good, params: { temperature: 0.1 } }, reason: 'by key' },
      { authorization: `Bearer ${writer.key}` },
    );
    expect(allowed.statusCode).toBe(200);
    expect((await auditOf('ops_agent')).at(-1)).toMatchObject({ actor: `api_key:${writer.id}`, reason: 'by key' });
  });
});
