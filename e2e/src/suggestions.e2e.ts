import type {
  AuditPage,
  BulkResponse,
  CandidateListResponse,
  SuggestionCandidateResponse,
  SuggestionListResponse,
  SuggestResponse,
} from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import { APPS, startMesh, type Mesh } from './mesh';
import { getJson, post, sql } from './rollout-driver';

/**
 * Seed 003's suggestions on the running mesh, through the public API: feedback with complaint
 * tags, a weak framework and corrections → POST /oracle/suggestions names the worst area with
 * its figures and a prompt patch → one call registers it as a prompt candidate of the agent
 * (the stable prompt + the patch), listed with the agent's candidates and audited.
 */
const AGENT = 'suggest_writer';
const TEMPLATE = 'You are a coding assistant.';

function feedbackEvents(): object[] {
  const events: object[] = [];
  const add = (n: number, event: Record<string, unknown>) => {
    for (let i = 0; i < n; i++) events.push({ agent_id: AGENT, session_id: `session-${events.length % 20}`, ...event });
  };
  // The worst area: answers tagged "verbose", 9 of 10 rated down.
  add(9, { explicit: { rating: 1, complaint: 'far too long' }, tags: ['verbose'], context: { framework: 'react' } });
  add(1, { explicit: { rating: 5 }, tags: ['verbose'], context: { framework: 'react' } });
  // A weaker one: django answers use deprecated APIs, 4 of 12.
  add(4, { explicit: { helpful: false, complaint: 'uses a deprecated API' }, context: { framework: 'django' } });
  add(8, { explicit: { helpful: true, rating: 5 }, context: { framework: 'django' } });
  // Corrections users made.
  add(4, { explicit: { rating: 3, correction: 'use pnpm instead of npm' } });
  add(8, { explicit: { rating: 4 }, implicit: { success: true } });
  return events;
}

describe('suggestions from complaint tags and corrections, and a candidate in one call (seed 003)', () => {
  let mesh: Mesh;
  let oracle: string;
  let sent: number;

  beforeAll(async () => {
    mesh = await startMesh('e2e_suggestions', { TICK_INTERVAL_MINUTES: '0' });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    oracle = mesh.apps['oracle-api'].url;
    await post(
      `${oracle}/api/v1/agents`,
      {
        agent_id: AGENT,
        environment: 'dev',
        config: { model: 'gpt-4o-mini', prompt: { version: 'v1', template: TEMPLATE } },
      },
      201,
    );
    const events = feedbackEvents();
    sent = events.length;
    const answer = (await post(
      `${mesh.apps['feedback-api'].url}/api/v1/feedback/collect/bulk`,
      { events },
      202,
    )) as BulkResponse;
    expect(answer.results.filter((r) => r.status !== 'accepted')).toEqual([]);
    await eventually(async () => {
      const [row] = await sql<{ n: number }>(
        mesh,
        'SELECT count(*)::int AS n FROM feedback_events WHERE agent_id = $1',
        [AGENT],
      );
      expect(row!.n).toBe(sent);
    }, 20_000);
  }, 90_000);

  afterAll(() => mesh?.stop());

  it('names the worst area, registers its patch as a prompt candidate in one call, listed with the agent and audited', async () => {
    const { items } = (await post(`${oracle}/api/v1/oracle/suggestions`, {
      agent_id: AGENT,
      days: 1,
    })) as SuggestResponse;
    expect(items.map((s) => [s.area, s.area_kind, s.rule, s.source])).toEqual([
      ['verbose', 'tag', 'conciseness', 'rules'],
      ['django', 'framework', 'framework_version', 'rules'],
      ['corrections', 'corrections', 'corrections', 'rules'],
    ]);
    const [worst] = items;
    expect(worst!.problem).toMatchObject({ events: 10, negatives: 9, negative_rate: 0.9, complaints: 9 });
    expect(worst!.evidence).toMatchObject({ events_read: sent, truncated: false });
    expect(items[2]!.prompt_patch).toBe('Prefer pnpm over npm.');

    const listed = await getJson<SuggestionListResponse>(`${oracle}/api/v1/oracle/suggestions?agent_id=${AGENT}`);
    expect(listed.items.map((s) => s.suggestion_id)).toEqual(items.map((s) => s.suggestion_id));

    const candidate = (await post(
      `${oracle}/api/v1/oracle/suggestions/${worst!.suggestion_id}/candidate`,
      {},
      201,
    )) as SuggestionCandidateResponse;
    expect(candidate).toMatchObject({
      type: 'prompt',
      agent_id: AGENT,
      suggestion_id: worst!.suggestion_id,
      template: `${TEMPLATE}\n\n${worst!.prompt_patch}`,
    });
    expect(candidate.key).toMatch(/^v1-sugg-[0-9a-f]{12}$/);
    // Idempotent: the same candidate again, nothing new registered.
    expect(await post(`${oracle}/api/v1/oracle/suggestions/${worst!.suggestion_id}/candidate`, {}, 201)).toEqual(
      candidate,
    );

    const candidates = await getJson<CandidateListResponse>(`${oracle}/api/v1/agents/${AGENT}/candidates?type=prompt`);
    expect(candidates.items.filter((c) => c.candidate_id === candidate.candidate_id)).toHaveLength(1);
    const audit = await getJson<AuditPage>(
      `${oracle}/api/v1/oracle/audit?action=suggestion.candidate_registered&entity_id=${worst!.suggestion_id}`,
    );
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ agent_id: AGENT, details: { candidate_id: candidate.candidate_id } });
  });
});
