import { memoryPolicySchema } from '@metaloop/policies';
import { extractGoal, extractPreferences, learnFromSelection, phraseKey } from './extract';
import { parseSelection } from './selection';

const policy = memoryPolicySchema.parse({});

describe('extractGoal: the intent an option states (seed 002)', () => {
  it.each([
    ['Do you want to build a REST API?', 'build a REST API'],
    ['Do you want to build a REST API with FastAPI?', 'build a REST API with FastAPI'],
    ['Do you want to containerize with Docker?', 'containerize with Docker'],
    ['Add JWT auth to your containerized REST API?', 'add JWT auth to your containerized REST API'],
    ['I need to deploy the service to AWS. Then more.', 'deploy the service to AWS'],
    ['Set up OAuth2 with Docker secrets?', 'set up OAuth2 with Docker secrets'],
    ['Do you want to design API endpoints?', 'design API endpoints'],
  ])('%s → %s', (text, goal) => {
    expect(extractGoal(text)).toBe(goal);
  });

  it.each([['Tell me a joke'], ['What time is it?'], ['Do you want to build?']])('no intent in %s', (text) => {
    expect(extractGoal(text)).toBeUndefined();
  });
});

describe('extractPreferences: technologies and styles after a cue', () => {
  it.each([
    ['…with FastAPI and Docker deployment', ['FastAPI', 'Docker deployment']],
    ['Do you want to containerize with Docker?', ['Docker']],
    ['Build it using FastAPI with Docker', ['FastAPI', 'Docker']],
    ['I prefer tabs over spaces', ['tabs over spaces']],
    ['Do you want to build a REST API?', []],
    ['Would you like to help with your code?', []],
  ])('%s → %j', (text, preferences) => {
    expect(extractPreferences(text)).toEqual(preferences);
  });
});

describe('learnFromSelection', () => {
  it('a goal at the option confidence and preferences slightly lower, tagged learned and selection_derived', () => {
    const selection = parseSelection({
      options: [{ id: 'h1', text: 'Do you want to build a REST API with FastAPI?', confidence: 0.88 }],
      selected_id: 'h1',
    })!;
    expect(learnFromSelection(selection, policy)).toEqual([
      {
        kind: 'GOAL',
        text: 'build a REST API with FastAPI',
        key: 'build rest api fastapi',
        confidence: 0.88,
        tags: ['learned', 'selection_derived'],
      },
      {
        kind: 'PREFERENCE',
        text: 'Prefers: FastAPI',
        key: 'fastapi',
        confidence: 0.792,
        tags: ['learned', 'selection_derived'],
      },
    ]);
  });

  it('an option without confidence takes the policy default', () => {
    const selection = parseSelection({ options: [{ id: 'a', text: 'Deploy the API to AWS' }], selected_id: 'a' })!;
    expect(learnFromSelection(selection, policy)[0]!.confidence).toBe(policy.default_confidence);
  });
});

describe('parseSelection', () => {
  it.each([
    [
      'seed 002 options',
      {
        options: [
          { id: 'h1', text: 'x' },
          { id: 'h2', text: 'y', confidence: 2 },
        ],
        selected_id: 'h2',
      },
      1,
    ],
    ['hypotheses with questions', { hypotheses: [{ id: 'h1', question: 'x' }], hypothesis_id: 'h1' }, 0],
  ])('%s', (_, raw, index) => {
    const parsed = parseSelection(raw)!;
    expect(parsed.selectedIndex).toBe(index);
    expect(parsed.options.every((o) => o.confidence === undefined || o.confidence <= 1)).toBe(true);
  });

  it.each([
    ['no options', { selected_id: 'h1' }],
    ['the chosen id is not an option', { options: [{ id: 'h1', text: 'x' }], selected_id: 'h9' }],
    ['not an object', 'h1'],
  ])('%s → undefined', (_, raw) => {
    expect(parseSelection(raw)).toBeUndefined();
  });

  it('phraseKey keeps content words only', () => {
    expect(phraseKey('Build a REST API!')).toBe(phraseKey('build the rest api'));
  });
});
