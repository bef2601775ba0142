import type { AgentConfigResponse, SubjectContext, SubjectExport, SubjectMemoryResponse } from '@metaloop/contracts';
import { eventually } from '@metaloop/testing';
import { startMesh, type Mesh } from './mesh';
import { getJson, post, registerAgent } from './rollout-driver';

/**
 * Seed 002's example interaction on the mesh, through the public API: one user (a subject) asks
 * "build api", "deploy api" and "auth"; the agent shows three options each time and sends the
 * user's choice as feedback with `explicit.selection`. metaloop learns at ingest what the seed
 * describes (goals, preferences, history, persona facets), serves it with the config fetch for
 * that subject, exports it, and erases it.
 */
const AGENT = 'embed_service';
const SUBJECT = 'user123';

const INTERACTIONS = [
  {
    input: 'build api',
    options: [
      'Do you want to build a REST API?',
      'Do you want to design API endpoints?',
      'Do you want to set up authentication?',
    ],
    confidences: [0.75, 0.68, 0.6],
    selected: 'h1',
  },
  {
    input: 'deploy api',
    options: [
      'Do you want to deploy your REST API to AWS?',
      'Do you want to containerize with Docker?',
      'Do you want to set up CI/CD pipeline?',
    ],
    confidences: [0.85, 0.78, 0.72],
    selected: 'h2',
  },
  {
    input: 'auth',
    options: [
      'Add JWT auth to your containerized REST API?',
      'Set up OAuth2 with Docker secrets?',
      'Implement role-based access control?',
    ],
    confidences: [0.9, 0.82, 0.75],
    selected: 'h1',
  },
];

describe("seed 002's three interactions (build api → deploy api → auth) as feedback for one subject", () => {
  let mesh: Mesh;
  let feedback: string;
  let oracle: string;

  beforeAll(async () => {
    mesh = await startMesh('subject_memory', { TICK_INTERVAL_MINUTES: '0' });
    await Promise.all([mesh.apps['feedback-api'].waitForReady(60_000), mesh.apps['oracle-api'].waitForReady(60_000)]);
    feedback = mesh.apps['feedback-api'].url;
    oracle = mesh.apps['oracle-api'].url;
    await registerAgent(mesh, AGENT, []);
  }, 90_000);
  afterAll(() => mesh?.stop());

  const memory = () => getJson<SubjectMemoryResponse>(`${feedback}/api/v1/subjects/${SUBJECT}/memory`);
  const history = async () => (await memory()).items.filter((i) => i.kind === 'HISTORY');
  const texts = (m: SubjectMemoryResponse, kind: string) => m.items.filter((i) => i.kind === kind).map((i) => i.text);

  it('learns what the seed describes, one interaction after the other', async () => {
    for (const [n, interaction] of INTERACTIONS.entries()) {
      await post(
        `${feedback}/api/v1/feedback/collect`,
        {
          agent_id: AGENT,
          session_id: `${SUBJECT}_session`,
          subject_id: SUBJECT,
          artifacts: { input: interaction.input },
          explicit: {
            selection: {
              options: interaction.options.map((text, i) => ({
                id: `h${i + 1}`,
                text,
                confidence: interaction.confidences[i],
              })),
              selected_id: interaction.selected,
            },
          },
        },
        202,
      );
      // Ingest learns asynchronously: the interaction is in memory once its HISTORY item is.
      await eventually(async () => expect(await history()).toHaveLength(n + 1), 15_000, 50);

      const m = await memory();
      if (n === 0) {
        // ✅ Goal extracted: "build a REST API"; ✅ Preference detected: (none specific yet); ✅ concise +0.02
        expect(texts(m, 'GOAL')).toEqual(['build a REST API']);
        expect(texts(m, 'PREFERENCE')).toEqual([]);
        expect(m.facets).toEqual({ concise: 0.52, step_by_step: 0.5, code_first: 0.5, formal: 0.5 });
      }
      if (n === 1) {
        // ✅ Goal updated (Docker); ✅ Preference learned: "Docker, containerization"; ✅ step_by_step +0.02 (chose h2)
        expect(texts(m, 'GOAL')).toContain('containerize with Docker');
        expect(texts(m, 'PREFERENCE')).toEqual(['Prefers: Docker']);
        expect(m.facets).toMatchObject({ step_by_step: 0.52, concise: 0.5 });
      }
    }

    const m = await memory();
    expect(texts(m, 'GOAL').sort()).toEqual(
      ['add JWT auth to your containerized REST API', 'build a REST API', 'containerize with Docker'].sort(),
    );
    const goal = m.items.find((i) => i.text === 'build a REST API')!;
    expect(goal).toMatchObject({
      confidence: 0.75,
      weight: 1,
      tags: ['learned', 'selection_derived'],
      agent_id: AGENT,
    });
    expect(m.items.find((i) => i.kind === 'PREFERENCE')).toMatchObject({ confidence: 0.702 }); // 0.78 × 0.9
    expect(texts(m, 'HISTORY')).toEqual([
      'User requested: auth | Selected: Add JWT auth to your containerized REST API?',
      'User requested: deploy api | Selected: Do you want to containerize with Docker?',
      'User requested: build api | Selected: Do you want to build a REST API?',
    ]);
    expect(m.items.find((i) => i.kind === 'HISTORY')!.tags).toEqual(['interaction', 'text', 'h1']);
    // Balanced: the user sometimes wants detail.
    expect(m.facets).toEqual({ concise: 0.52, step_by_step: 0.52, code_first: 0.5, formal: 0.5 });
  });

  it('the config fetch for that subject carries its goals, preferences, history and facets within the budget', async () => {
    const fetched = await getJson<AgentConfigResponse & { subject_context: SubjectContext }>(
      `${feedback}/api/v1/agents/${AGENT}/config?session_id=${SUBJECT}_session&subject_id=${SUBJECT}`,
    );
    const context = fetched.subject_context;
    expect(context.subject_id).toBe(SUBJECT);
    expect(context.goals.map((g) => g.text)).toEqual(
      expect.arrayContaining([
        'build a REST API',
        'containerize with Docker',
        'add JWT auth to your containerized REST API',
      ]),
    );
    expect(context.preferences.map((p) => p.text)).toEqual(['Prefers: Docker']);
    expect(context.history[0]!.text).toMatch(/^User requested: auth/);
    expect(context.facets).toEqual({ concise: 0.52, step_by_step: 0.52, code_first: 0.5, formal: 0.5 });
    const { goal, pref, history, total, budget } = context.context_breakdown;
    expect(goal).toBeGreaterThan(0);
    expect(pref).toBeGreaterThan(0);
    expect(history).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(budget);
    const plain = await getJson<Record<string, unknown>>(`${feedback}/api/v1/agents/${AGENT}/config?session_id=other`);
    expect(plain).not.toHaveProperty('subject_context');
  });

  it('exports the selection and persona-update logs in the seed’s format, then erases everything', async () => {
    const kept = await getJson<SubjectExport>(`${oracle}/api/v1/subjects/${SUBJECT}`);
    expect(kept.selection_logs.map((l) => [l.user_input, l.selected_id, l.context['interaction_count']])).toEqual([
      ['build api', 'h1', 0],
      ['deploy api', 'h2', 1],
      ['auth', 'h1', 2],
    ]);
    expect(kept.selection_logs[2]!.context).toMatchObject({
      persona_facets: { concise: 0.5, step_by_step: 0.52 },
      recent_goals: expect.arrayContaining(['build a REST API', 'containerize with Docker']),
      preferences: ['Prefers: Docker'],
    });
    expect(kept.persona_updates.map((u) => u.facet_deltas)).toEqual([
      { concise: 0.02 },
      { step_by_step: 0.02, concise: -0.02 },
      { concise: 0.02 },
    ]);
    const jsonl = await fetch(`${oracle}/api/v1/subject-logs/persona-updates?agent_id=${AGENT}`);
    expect(jsonl.headers.get('content-type')).toMatch(/ndjson/);
    const first = JSON.parse((await jsonl.text()).split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ user_id: SUBJECT, old_facets: { concise: 0.5 }, new_facets: { concise: 0.52 } });

    const erase = await fetch(`${oracle}/api/v1/subjects/${SUBJECT}`, { method: 'DELETE' });
    expect(erase.status).toBe(200);
    expect(await erase.json()).toEqual({
      subject_id: SUBJECT,
      deleted: { memory_items: 7, facets: 4, selection_logs: 3, persona_updates: 3, examples: 0, events_scrubbed: 3 },
    });
    expect(await memory()).toEqual({ subject_id: SUBJECT, items: [], facets: {}, updated_at: null });
    // feedback-api drops its cached context on subject.memory.changed, which the erasure publishes.
    await eventually(async () => {
      const fetched = await getJson<{ subject_context: SubjectContext }>(
        `${feedback}/api/v1/agents/${AGENT}/config?session_id=${SUBJECT}_session&subject_id=${SUBJECT}`,
      );
      expect(fetched.subject_context).toMatchObject({ goals: [], preferences: [], history: [], facets: {} });
    });
    const gone = await getJson<SubjectExport>(`${oracle}/api/v1/subjects/${SUBJECT}`);
    expect(gone).toMatchObject({ selection_logs: [], persona_updates: [], feedback_events: 0 });
  });
});
