import { ApiKeysService, AuthModeService } from '@metaloop/auth';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { storeFeedback, times } from './__tests__/feedback-rows';

const TEMPLATE = 'You are a helpful coding assistant.';

describe('suggestions (real Postgres, the rules)', () => {
  let h: OracleHarness;

  const call = async (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) => {
    const response = await h.apps[0]!.inject({ method, url, headers, ...(payload && { payload }) });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };

  beforeAll(async () => {
    h = await oracleHarness('suggestions', { SUGGESTIONS_MAX_EVENTS: '100' });
    for (const agentId of ['sugg_agent', 'sugg_other', 'sugg_bound'])
      await call('POST', '/api/v1/agents', {
        agent_id: agentId,
        environment: 'dev',
        config: { model: 'gpt-4o-mini', prompt: { version: 'v1', template: TEMPLATE } },
      });
    await storeFeedback(h, 'sugg_agent', [
      ...times(8, () => ({ rating: 1, tags: ['verbose'], complaint: 'way too long', framework: 'react' })),
      ...times(2, () => ({ rating: 5, tags: ['verbose'], framework: 'react' })),
      ...times(4, () => ({ helpful: false, framework: 'django', complaint: 'uses a deprecated API' })),
      ...times(6, () => ({ rating: 5, framework: 'django' })),
      ...times(3, () => ({ rating: 3, correction: 'use pnpm instead of npm' })),
      ...times(5, () => ({ rating: 4 })),
      // Older than the window: never read.
      ...times(20, () => ({ rating: 1, tags: ['rude'], ageMs: 10 * 86_400_000 })),
    ]);
    await storeFeedback(
      h,
      'sugg_other',
      times(3, () => ({ rating: 1, tags: ['missing_code'] })),
    );
    await storeFeedback(h, 'sugg_bound', [
      ...times(100, () => ({ rating: 5, tags: ['verbose'], ageMs: 1_000 })),
      ...times(50, () => ({ rating: 1, tags: ['verbose'], ageMs: 3_600_000 })),
    ]);
  }, 60_000);
  afterAll(() => h?.dispose());

  it("names the agent's worst area first with its figures and prompt patch, and stores what it answers", async () => {
    const { status, body } = await call('POST', '/api/v1/oracle/suggestions', { agent_id: 'sugg_agent' });
    expect(status).toBe(200);
    expect(body.items.map((s: { area: string; rule: string }) => [s.area, s.rule])).toEqual([
      ['verbose', 'conciseness'],
      ['django', 'framework_version'],
      ['corrections', 'corrections'],
    ]);
    const [first] = body.items;
    expect(first).toMatchObject({
      agent_id: 'sugg_agent',
      area_kind: 'tag',
      source: 'rules',
      candidate_id: null,
      problem: { events: 10, negatives: 8, negative_rate: 0.8, complaints: 8 },
      prompt_patch: expect.stringContaining('Answer concisely'),
      evidence: { events_read: 28, truncated: false, window: { days: 7 } },
    });
    expect(first).not.toHaveProperty('fallback_reason');
    expect(body.items[1].prompt_patch).toContain('current stable version of django');
    expect(body.items[2].prompt_patch).toBe('Prefer pnpm over npm.');

    const listed = await call('GET', '/api/v1/oracle/suggestions?agent_id=sugg_agent');
    expect(listed.body.items.map((s: { suggestion_id: string }) => s.suggestion_id)).toEqual(
      body.items.map((s: { suggestion_id: string }) => s.suggestion_id),
    );
    expect(listed.body.items[0]).toEqual(first);
  });

  it('keeps to one framework when asked, and to limit', async () => {
    const { body } = await call('POST', '/api/v1/oracle/suggestions', {
      agent_id: 'sugg_agent',
      framework: 'react',
      limit: 1,
    });
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      area: 'verbose',
      evidence: { events_read: 10, window: { framework: 'react' } },
    });
  });

  it('without agent_id looks at every agent (the bound shared), the worst areas of all first', async () => {
    const { body } = await call('POST', '/api/v1/oracle/suggestions', { days: 1, limit: 50 });
    const agents = new Set(body.items.map((s: { agent_id: string }) => s.agent_id));
    // sugg_bound's share of the 100 events (34) holds only its newest, positive ones.
    expect(agents).toEqual(new Set(['sugg_agent', 'sugg_other']));
    const scores = body.items.map((s: { evidence: { score: number } }) => s.evidence.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('reads at most SUGGESTIONS_MAX_EVENTS events, the newest, and says so', async () => {
    const { body } = await call('POST', '/api/v1/oracle/suggestions', { agent_id: 'sugg_bound' });
    // The 100 newest are all positive: the 50 older negatives lie beyond the bound.
    expect(body.items).toEqual([]);
    const other = await call('POST', '/api/v1/oracle/suggestions', { agent_id: 'sugg_other' });
    expect(other.body.items[0]).toMatchObject({
      rule: 'code_examples',
      evidence: { events_read: 3, truncated: false },
    });
  });

  it('pages the listing newest first with next_cursor', async () => {
    const first = await call('GET', '/api/v1/oracle/suggestions?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await call('GET', `/api/v1/oracle/suggestions?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.items[0].suggestion_id < first.body.items[1].suggestion_id).toBe(true);
  });

  it('registers a suggestion as a prompt candidate once, audited, listed with the agent', async () => {
    const { body } = await call('POST', '/api/v1/oracle/suggestions', { agent_id: 'sugg_agent', limit: 1 });
    const suggestion = body.items[0];
    const registered = await call('POST', `/api/v1/oracle/suggestions/${suggestion.suggestion_id}/candidate`);
    expect(registered.status).toBe(201);
    const tail = suggestion.suggestion_id.replace(/-/g, '').slice(-12);
    expect(registered.body).toMatchObject({
      type: 'prompt',
      agent_id: 'sugg_agent',
      version: `v1-sugg-${tail}`,
      key: `v1-sugg-${tail}`,
      template: `${TEMPLATE}\n\n${suggestion.prompt_patch}`,
      suggestion_id: suggestion.suggestion_id,
    });
    const again = await call('POST', `/api/v1/oracle/suggestions/${suggestion.suggestion_id}/candidate`);
    expect(again).toEqual(registered);

    const candidates = await call('GET', '/api/v1/agents/sugg_agent/candidates?type=prompt');
    expect(
      candidates.body.items.filter((c: { candidate_id: string }) => c.candidate_id === registered.body.candidate_id),
    ).toHaveLength(1);
    const listed = await call('GET', '/api/v1/oracle/suggestions?agent_id=sugg_agent&limit=1');
    expect(listed.body.items[0].candidate_id).toBe(registered.body.candidate_id);
    const audit = await h.query<{ actor: string; details: Record<string, unknown> }>(
      `SELECT actor, details FROM audit_entries WHERE action = 'suggestion.candidate_registered' AND entity_id = $1`,
      [suggestion.suggestion_id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({
      candidate_id: registered.body.candidate_id,
      from_prompt_version: 'v1',
      area: 'verbose',
      rule: 'conciseness',
      source: 'rules',
    });
  });

  it('answers 4xx problems naming the field, and 404 for what does not exist', async () => {
    const bad = await call('POST', '/api/v1/oracle/suggestions', { limit: 0, days: 'seven' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('limit');
    expect(JSON.stringify(bad.body)).toContain('days');
    expect((await call('POST', '/api/v1/oracle/suggestions', { agent_id: 'nobody' })).status).toBe(404);
    expect((await call('GET', '/api/v1/oracle/suggestions?cursor=not-a-uuid')).status).toBe(400);
    expect(
      (await call('POST', '/api/v1/oracle/suggestions/0190a000-0000-7000-8000-000000000000/candidate')).status,
    ).toBe(404);
    const notUuid = await call('POST', '/api/v1/oracle/suggestions/abc/candidate');
    expect(notUuid.status).toBe(400);
    expect(JSON.stringify(notUuid.body)).toContain('suggestion_id');
  });

  it('registers one candidate when two calls race for the same suggestion', async () => {
    const { body } = await call('POST', '/api/v1/oracle/suggestions', { agent_id: 'sugg_other' });
    const id = body.items[0].suggestion_id;
    const answers = await Promise.all(times(4, () => call('POST', `/api/v1/oracle/suggestions/${id}/candidate`)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.candidate_id)).size).toBe(1);
    const audit = await h.query(
      `SELECT id FROM audit_entries WHERE action = 'suggestion.candidate_registered' AND entity_id = $1`,
      [id],
    );
    expect(audit).toHaveLength(1);
  });

  it('shows the routes in the OpenAPI document', async () => {
    const spec = (await call('GET', '/docs/json')).body;
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/oracle/suggestions', '/api/v1/oracle/suggestions/{suggestion_id}/candidate']),
    );
    expect(JSON.stringify(spec.paths['/api/v1/oracle/suggestions'].post)).toContain('framework');
  });

  // Last: a key turns enforcement on for the rest of the suite.
  it('needs oracle:write to suggest and register, oracle:read to list', async () => {
    const reader = await h.apps[0]!.get(ApiKeysService).create({ name: 'reader', scopes: ['oracle:read'] });
    await h.apps[0]!.get(AuthModeService).refresh();
    const auth = { authorization: `Bearer ${reader.key}` };
    expect((await call('GET', '/api/v1/oracle/suggestions', undefined, auth)).status).toBe(200);
    expect((await call('POST', '/api/v1/oracle/suggestions', {}, auth)).status).toBe(403);
    expect(
      (await call('POST', '/api/v1/oracle/suggestions/0190a000-0000-7000-8000-000000000000/candidate', {}, auth))
        .status,
    ).toBe(403);
  });
});
