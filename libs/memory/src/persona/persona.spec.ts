import { memoryPolicySchema } from '@metaloop/policies';
import { personaSignals, updatePersona, validateModelDeltas } from './persona';

const policy = memoryPolicySchema.parse({});
const selection = (index: number) => ({
  options: [
    { id: 'h1', text: 'a' },
    { id: 'h2', text: 'b' },
  ],
  selected: { id: `h${index + 1}`, text: 'x' },
  selectedIndex: index,
});

describe('persona facets (seed 002)', () => {
  it.each([
    ['first option', { selection: selection(0), complaint: false, positive: true }, ['first_option', 'positive']],
    [
      'later option with a complaint',
      { selection: selection(1), complaint: true, positive: false },
      ['later_option', 'complaint'],
    ],
    ['no selection', { complaint: false, positive: false }, []],
  ])('signals of %s', (_, interaction, signals) => {
    expect(personaSignals(interaction)).toEqual(signals);
  });

  it.each([
    ['first option: concise +0.02', {}, ['first_option'], { concise: 0.02 }, { concise: 0.52, step_by_step: 0.5 }],
    [
      'later option: step_by_step +0.02, concise -0.02',
      {},
      ['later_option'],
      { step_by_step: 0.02, concise: -0.02 },
      { concise: 0.48, step_by_step: 0.52 },
    ],
    ['clamped to 1', { concise: 0.99 }, ['first_option'], { concise: 0.01 }, { concise: 1 }],
    ['clamped to 0', { concise: 0.01 }, ['later_option'], { step_by_step: 0.02, concise: -0.01 }, { concise: 0 }],
  ] as const)('%s', (_, current, signals, deltas, values) => {
    const update = updatePersona(current, [...signals], policy, 'a')!;
    expect(update.deltas).toEqual(deltas);
    expect(update.newFacets).toMatchObject(values);
    expect(update.oldFacets).toMatchObject({
      concise: (current as Record<string, number>).concise ?? 0.5,
      code_first: 0.5,
      formal: 0.5,
    });
  });

  it('nothing moves: no update; per-agent facets are registered on top of the global ones', () => {
    expect(updatePersona({}, ['positive'], policy, 'a')).toBeUndefined();
    const withAgent = memoryPolicySchema.parse({ agent_facets: { tutor: { playful: 0.3 } } });
    expect(updatePersona({}, ['first_option'], withAgent, 'tutor')!.newFacets).toMatchObject({ playful: 0.3 });
  });

  it("a model's deltas: registered facets and numbers only, clamped to max_delta, summed with the rules'", () => {
    const registered = { concise: 0.5, code_first: 0.5 };
    expect(
      validateModelDeltas(
        { facet_updates: { concise: 0.05, code_first: 0.9, bogus: 0.1, formal: 'x' } },
        registered,
        0.1,
      ),
    ).toEqual({
      concise: 0.05,
      code_first: 0.1,
    });
    expect(validateModelDeltas('nonsense', registered, 0.1)).toBeUndefined();
    expect(validateModelDeltas({ bogus: 1 }, registered, 0.1)).toBeUndefined();
    expect(updatePersona({}, ['first_option'], policy, 'a', { concise: 0.1 })!.deltas).toEqual({ concise: 0.1 });
  });
});
