import { DEFAULT_ADAPTER_CONSTRAINTS } from '@metaloop/contracts';
import { context, PARENT } from './__tests__/fixtures';
import { createAdapters } from './adapters';

const adapter = createAdapters().MEMORY_UPDATE;
const fact = (id: string) => ({ id, text: `fact ${id}` });

describe('MEMORY_UPDATE', () => {
  it('removes, reweights and adds facts and examples', () => {
    const { config, summary } = adapter.prepare(context(), {
      facts: {
        remove: ['hours'],
        reweight: [{ id: 'plan', weight: 0.4 }],
        add: [{ id: 'refunds', text: 'Refunds take 5 days', weight: 0.8 }],
      },
      examples: { add: [{ id: 'bye', input: 'Thanks', output: 'You are welcome!' }] },
    });
    expect(config.memory).toEqual([
      { id: 'plan', text: 'Customers are on the EU plan', weight: 0.4 },
      { id: 'refunds', text: 'Refunds take 5 days', weight: 0.8 },
    ]);
    expect(config.examples.map((example) => [example.id, example.weight])).toEqual([
      ['greet', 0.5],
      ['bye', 0.5],
    ]);
    expect(summary).toEqual({
      facts: {
        added: ['refunds'],
        removed: ['hours'],
        reweighted: [{ id: 'plan', before: 0.9, after: 0.4 }],
        count: { before: 2, after: 2 },
      },
      examples: { added: ['bye'], removed: [], reweighted: [], count: { before: 1, after: 2 } },
      dynamic_examples: { before: null, after: null },
    });
  });

  it('turns dynamic examples on with their defaults, retunes them, and turns them off', () => {
    const on = adapter.prepare(context(), { dynamic_examples: { k: 3 } });
    expect(on.config.dynamic_examples).toEqual({ k: 3, min_similarity: 0.3, max_chars: 8_000 });
    expect(on.summary.dynamic_examples).toEqual({ before: null, after: on.config.dynamic_examples });
    const parent = { ...PARENT, dynamic_examples: { k: 3, min_similarity: 0.3, max_chars: 8_000 } };
    const kept = adapter.prepare(context({ parent }), { facts: { add: [fact('new')] } });
    expect(kept.config.dynamic_examples).toEqual(parent.dynamic_examples);
    const off = adapter.prepare(context({ parent }), { dynamic_examples: null });
    expect(off.config).not.toHaveProperty('dynamic_examples');
    expect(off.summary.dynamic_examples).toEqual({ before: parent.dynamic_examples, after: null });
  });

  it.each([
    ['adding an id the parent has', { facts: { add: [fact('plan')] } }, 'duplicate_id', 'params.facts.add.0'],
    ['adding one id twice', { facts: { add: [fact('x'), fact('x')] } }, 'duplicate_id', 'params.facts.add.1'],
    ['removing an unknown id', { examples: { remove: ['nope'] } }, 'unknown_id', 'params.examples.remove.0'],
    ['removing one id twice', { facts: { remove: ['plan', 'plan'] } }, 'duplicate_id', 'params.facts.remove.1'],
    [
      'reweighting an unknown id',
      { facts: { reweight: [{ id: 'nope', weight: 0.1 }] } },
      'unknown_id',
      'params.facts.reweight.0',
    ],
    [
      'reweighting a removed id',
      { facts: { remove: ['plan'], reweight: [{ id: 'plan', weight: 0.1 }] } },
      'unknown_id',
      'params.facts.reweight.0',
    ],
    [
      'a weight above 1',
      { facts: { reweight: [{ id: 'plan', weight: 2 }] } },
      'invalid_params',
      'params.facts.reweight.0.weight',
    ],
    ['neither facts, examples nor dynamic examples', {}, 'invalid_params', 'params'],
    ['the same weight again', { facts: { reweight: [{ id: 'plan', weight: 0.9 }] } }, 'no_change', 'params'],
  ])('rejects %s', (_name, params, code, path) => {
    expect(() => adapter.prepare(context(), params)).toThrow(expect.objectContaining({ code, path }));
  });

  it.each([
    ['facts', { facts: { add: [fact('a'), fact('b')] } }, 'params.facts.add'],
    ['examples', { examples: { add: [{ id: 'x', input: 'a', output: 'b' }] } }, 'params.examples.add'],
  ])('caps the number of %s by policy', (_name, params, path) => {
    const ctx = context({ constraints: { ...DEFAULT_ADAPTER_CONSTRAINTS, memory: { maxFacts: 3, maxExamples: 1 } } });
    expect(() => adapter.prepare(ctx, params)).toThrow(expect.objectContaining({ code: 'constraint_violation', path }));
  });

  it('keeps the parent untouched', () => {
    const ctx = context();
    adapter.prepare(ctx, { facts: { remove: ['plan'], reweight: [{ id: 'hours', weight: 1 }] } });
    expect(ctx.parent).toEqual(PARENT);
  });
});
