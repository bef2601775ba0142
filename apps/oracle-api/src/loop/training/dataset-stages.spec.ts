import { learningSchema } from '@metaloop/policies';
import {
  countStage,
  emptyCounts,
  preferenceLines,
  preferenceStage,
  rehearsalTarget,
  sftLine,
  sftStage,
  splitOf,
  type DatasetFilters,
  type StoredEvent,
} from './dataset-stages';

const filters: DatasetFilters = { minQuality: 0.7, weights: learningSchema.parse({}).quality, metrics: new Map() };
const io = { input: 'How do I reset my password?', output: 'Open Settings → Security → Reset.' };

describe('sftStage', () => {
  it.each<[string, StoredEvent, string]>([
    ['no artifacts', { explicit: { rating: 5 } }, 'no_artifacts'],
    ['an input without output', { artifacts: { input: 'q' }, explicit: { rating: 5 } }, 'no_artifacts'],
    ['blank output', { artifacts: { input: 'q', output: '  ' }, explicit: { rating: 5 } }, 'no_artifacts'],
    ['no quality signal', { artifacts: io }, 'low_quality'],
    ['rating 3 alone (0.5)', { artifacts: io, explicit: { rating: 3 } }, 'low_quality'],
    ['a complaint', { artifacts: io, explicit: { rating: 5, complaint: 'wrong' } }, 'low_quality'],
    [
      'good quality (0.83) but a rating below 4',
      { artifacts: io, explicit: { rating: 3.5, helpful: true }, implicit: { success: true } },
      'negative',
    ],
    ['success alone (1.0)', { artifacts: io, implicit: { success: true } }, 'kept'],
    ['rating 5', { artifacts: io, explicit: { rating: 5 } }, 'kept'],
    [
      'a correction without output',
      { artifacts: { input: io.input }, explicit: { correction: 'Use the reset link.' } },
      'kept',
    ],
  ])('%s → %s', (_, event, stage) => {
    expect(sftStage(event, filters).stage).toBe(stage);
  });

  it("learns a correction's corrected output, not the agent's", () => {
    const staged = sftStage({ artifacts: io, explicit: { correction: 'Use the reset link.' } }, filters);
    expect(staged).toMatchObject({ stage: 'kept', example: { input: io.input, output: 'Use the reset link.' } });
  });

  it('hashes the content: the same input and output give the same hash whatever the feedback', () => {
    const a = sftStage({ artifacts: io, explicit: { rating: 5 } }, filters);
    const b = sftStage({ artifacts: io, implicit: { success: true } }, filters);
    expect(a.stage === 'kept' && b.stage === 'kept' && a.example.hash === b.example.hash).toBe(true);
  });

  it('writes chat-format lines', () => {
    expect(JSON.parse(sftLine(io))).toEqual({
      messages: [
        { role: 'user', content: io.input },
        { role: 'assistant', content: io.output },
      ],
    });
  });
});

describe('preferenceStage', () => {
  const selection = {
    options: [
      { id: 'h1', text: 'Short answer', confidence: 0.85 },
      { id: 'h2', text: 'Long answer', confidence: 0.75 },
      { id: 'h3', text: 'Code answer', confidence: 0.65 },
    ],
    selected_id: 'h1',
  };

  it('pairs the chosen option with each rejected one', () => {
    const staged = preferenceStage({ artifacts: { input: 'build api' }, explicit: { selection } });
    expect(staged.stage).toBe('kept');
    if (staged.stage !== 'kept') return;
    expect(preferenceLines(staged.example).map((l) => JSON.parse(l))).toEqual([
      { prompt: 'build api', chosen: 'Short answer', rejected: 'Long answer' },
      { prompt: 'build api', chosen: 'Short answer', rejected: 'Code answer' },
    ]);
  });

  it.each<[string, StoredEvent, string]>([
    ['no input', { explicit: { selection } }, 'no_artifacts'],
    [
      'selected id not among the options',
      { artifacts: { input: 'q' }, explicit: { selection: { ...selection, selected_id: 'h9' } } },
      'no_artifacts',
    ],
    [
      'a single option',
      { artifacts: { input: 'q' }, explicit: { selection: { options: [selection.options[0]], selected_id: 'h1' } } },
      'no_artifacts',
    ],
    ['a complaint', { artifacts: { input: 'q' }, explicit: { selection, complaint: 'none fit' } }, 'negative'],
  ])('%s → %s', (_, event, stage) => {
    expect(preferenceStage(event).stage).toBe(stage);
  });
});

describe('counts, split and rehearsal', () => {
  it('counts every stage an event passed', () => {
    const counts = emptyCounts();
    for (const stage of ['no_artifacts', 'low_quality', 'negative', 'kept'] as const) countStage(counts, stage);
    expect(counts).toMatchObject({ scanned: 4, with_artifacts: 3, quality_passed: 2, positive: 1 });
  });

  it('splits by a seeded hash: stable for a seed, near the share, different under another seed', () => {
    const hashes = Array.from({ length: 4000 }, (_, i) => `hash-${i}`);
    const sides = (seed: number) => hashes.map((h) => splitOf(h, seed, 0.1));
    expect(sides(42)).toEqual(sides(42));
    const validation = sides(42).filter((s) => s === 'validation').length / hashes.length;
    expect(validation).toBeGreaterThan(0.08);
    expect(validation).toBeLessThan(0.12);
    expect(sides(7)).not.toEqual(sides(42));
    expect(hashes.every((h) => splitOf(h, 1, 0) === 'train')).toBe(true);
  });

  it.each([
    [900, 0.1, 100],
    [0, 0.1, 0],
    [100, 0, 0],
    [50, 0.5, 50],
  ])('%i fresh at share %f → %i rehearsal', (fresh, share, expected) => {
    expect(rehearsalTarget(fresh, share)).toBe(expected);
  });
});
