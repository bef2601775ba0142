import { memoryPolicySchema } from '@metaloop/policies';
import type { StoredItem } from '../types';
import { learnFromInteraction, type Interaction, type SubjectState } from './learn';
import { mergeLearned } from './merge';
import { parseSelection } from './selection';

const policy = memoryPolicySchema.parse({});
const now = new Date('2026-12-07T10:00:00Z');

/** Applies a learning to an in-memory subject the way loop/memory applies it to Postgres. */
function apply(state: SubjectState, learning: ReturnType<typeof learnFromInteraction>, eventId: string): SubjectState {
  const items = [...state.items];
  items.push({
    id: `h-${eventId}`,
    kind: 'HISTORY',
    weight: 1,
    confidence: 1,
    agentId: 'a',
    updatedAt: now,
    ...learning.history,
  });
  for (const write of learning.writes) {
    const row = { ...write.item, agentId: 'a', updatedAt: now };
    if (write.op === 'insert') items.push({ id: `${write.item.kind}-${items.length}`, ...row });
    else
      items.splice(
        items.findIndex((i) => i.id === write.id),
        1,
        { id: write.id, ...row },
      );
  }
  return { items, facets: learning.persona?.newFacets ?? state.facets, interactionCount: state.interactionCount + 1 };
}

const interaction = (eventId: string, userInput: string, options: string[], selected: number): Interaction => ({
  eventId,
  agentId: 'a',
  userInput,
  selection: parseSelection({
    options: options.map((text, i) => ({ id: `h${i + 1}`, text, confidence: [0.75, 0.68, 0.6][i] })),
    selected_id: `h${selected + 1}`,
  }),
  complaintGiven: false,
  positive: true,
});

describe("seed 002's three interactions (build api → deploy api → auth)", () => {
  const steps = [
    interaction(
      'e1',
      'build api',
      [
        'Do you want to build a REST API?',
        'Do you want to design API endpoints?',
        'Do you want to set up authentication?',
      ],
      0,
    ),
    interaction(
      'e2',
      'deploy api',
      [
        'Do you want to deploy your REST API to AWS?',
        'Do you want to containerize with Docker?',
        'Do you want to set up CI/CD pipeline?',
      ],
      1,
    ),
    interaction(
      'e3',
      'auth',
      [
        'Add JWT auth to your containerized REST API?',
        'Set up OAuth2 with Docker secrets?',
        'Implement role-based access control?',
      ],
      0,
    ),
  ];
  const states: SubjectState[] = [{ items: [], facets: {}, interactionCount: 0 }];
  const learnings = steps.map((step) => {
    const learning = learnFromInteraction(step, states.at(-1)!, policy, now);
    states.push(apply(states.at(-1)!, learning, step.eventId));
    return learning;
  });
  const texts = (state: SubjectState, kind: string) => state.items.filter((i) => i.kind === kind).map((i) => i.text);

  it('first: goal "build a REST API", no preference yet, concise +0.02, history stored', () => {
    expect(texts(states[1]!, 'GOAL')).toEqual(['build a REST API']);
    expect(texts(states[1]!, 'PREFERENCE')).toEqual([]);
    expect(learnings[0]!.persona!.deltas).toEqual({ concise: 0.02 });
    expect(states[1]!.facets.concise).toBe(0.52);
    expect(texts(states[1]!, 'HISTORY')).toEqual([
      'User requested: build api | Selected: Do you want to build a REST API?',
    ]);
    expect(states[1]!.items.find((i) => i.kind === 'HISTORY')!.tags).toEqual(['interaction', 'text', 'h1']);
  });

  it('second (h2): a Docker goal and preference, step_by_step +0.02, a selection log carrying what was learned before', () => {
    expect(texts(states[2]!, 'GOAL')).toEqual(['build a REST API', 'containerize with Docker']);
    expect(texts(states[2]!, 'PREFERENCE')).toEqual(['Prefers: Docker']);
    expect(learnings[1]!.persona!.deltas).toEqual({ step_by_step: 0.02, concise: -0.02 });
    expect(learnings[1]!.selectionLog).toMatchObject({
      context: { persona_facets: { concise: 0.52 }, interaction_count: 1, recent_goals: ['build a REST API'] },
      selected_id: 'h2',
      label: 'positive',
    });
  });

  it('third: connects the goals, a balanced persona, three history items', () => {
    expect(texts(states[3]!, 'GOAL')).toContain('add JWT auth to your containerized REST API');
    expect(states[3]!.facets).toMatchObject({ concise: 0.52, step_by_step: 0.52, code_first: 0.5, formal: 0.5 });
    expect(texts(states[3]!, 'HISTORY')).toHaveLength(3);
  });
});

describe('mergeLearned: repeated goals gain weight instead of piling up', () => {
  const stored = (text: string, key: string, weight = 1, confidence = 0.7): StoredItem => ({
    id: `id-${key}`,
    kind: 'GOAL',
    text,
    key,
    weight,
    confidence,
    tags: ['learned'],
    agentId: 'a',
    updatedAt: now,
  });
  const goal = (text: string, key: string, confidence = 0.8) => ({
    kind: 'GOAL' as const,
    text,
    key,
    confidence,
    tags: ['learned', 'selection_derived'],
  });

  it.each([
    [
      'the same phrase',
      stored('build a REST API', 'build rest api'),
      goal('Build the REST API', 'build rest api'),
      'build a REST API',
    ],
    [
      'a more specific phrase',
      stored('build a REST API', 'build rest api'),
      goal('build a REST API with FastAPI', 'build rest api fastapi'),
      'build a REST API with FastAPI',
    ],
    [
      'a less specific phrase',
      stored('build a REST API with FastAPI', 'build rest api fastapi'),
      goal('build a REST API', 'build rest api'),
      'build a REST API with FastAPI',
    ],
  ])('%s updates the stored item', (_, existing, learned, text) => {
    const [write] = mergeLearned([existing], [learned], policy);
    expect(write).toEqual({
      op: 'update',
      id: existing.id,
      item: expect.objectContaining({ text, weight: 2, confidence: 0.8, tags: ['learned', 'selection_derived'] }),
    });
  });

  it('weight stops at max_weight; an unrelated goal is new at weight 1; the same goal twice in one interaction is one write', () => {
    expect(
      mergeLearned(
        [stored('build a REST API', 'build rest api', 10)],
        [goal('build rest api', 'build rest api')],
        policy,
      )[0]!.item.weight,
    ).toBe(10);
    const writes = mergeLearned([], [goal('deploy to AWS', 'deploy aws'), goal('Deploy to AWS', 'deploy aws')], policy);
    expect(writes).toEqual([{ op: 'insert', item: expect.objectContaining({ text: 'deploy to AWS', weight: 2 }) }]);
    expect(
      mergeLearned([stored('build a REST API', 'build rest api')], [goal('write tests', 'write tests')], policy)[0],
    ).toMatchObject({ op: 'insert', item: { weight: 1 } });
  });
});

describe('learnFromInteraction without a selection', () => {
  it('a HISTORY item told by its feedback, no goals, the positive rule only when one is configured', () => {
    const learning = learnFromInteraction(
      {
        eventId: 'e',
        agentId: 'a',
        userInput: 'hi',
        output: 'hello',
        rating: 5,
        complaintGiven: false,
        positive: true,
      },
      { items: [], facets: {}, interactionCount: 0 },
      policy,
      now,
    );
    expect(learning.history.text).toBe('User requested: hi | Answered: hello | Feedback: rated 5/5');
    expect(learning.writes).toEqual([]);
    expect(learning.persona).toBeUndefined();
    expect(learning.selectionLog).toBeUndefined();
  });
});
