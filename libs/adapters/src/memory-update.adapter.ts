import type { AdapterDefinition } from './define-adapter';
import { AdapterError } from './errors';
import type { MemoryListSummary } from './summaries';

interface ListChange<T> {
  add: T[];
  remove: string[];
  reweight: Array<{ id: string; weight: number }>;
}

/**
 * Add, remove and reweight memory facts and few-shot examples, within the policy's caps; turn
 * dynamic examples on, retune or off (null).
 */
export const memoryUpdate: AdapterDefinition<'MEMORY_UPDATE'> = {
  type: 'MEMORY_UPDATE',
  derive(ctx, params) {
    const { parent, constraints } = ctx;
    const facts = updateList(parent.memory, params.facts, 'params.facts', constraints.memory.maxFacts);
    const examples = updateList(parent.examples, params.examples, 'params.examples', constraints.memory.maxExamples);
    const { dynamic_examples: before, ...rest } = parent;
    const after = params.dynamic_examples === undefined ? before : (params.dynamic_examples ?? undefined);
    return {
      config: { ...rest, memory: facts.items, examples: examples.items, ...(after ? { dynamic_examples: after } : {}) },
      summary: {
        facts: facts.summary,
        examples: examples.summary,
        dynamic_examples: { before: before ?? null, after: after ?? null },
      },
    };
  },
};

/** Removes first, then reweights what is left, then appends the additions. */
function updateList<T extends { id: string; weight: number }>(
  items: T[],
  change: ListChange<T> | undefined,
  path: string,
  cap: number,
): { items: T[]; summary: MemoryListSummary } {
  const unchanged = { added: [], removed: [], reweighted: [], count: { before: items.length, after: items.length } };
  if (!change) return { items, summary: unchanged };
  const ids = new Set(items.map((item) => item.id));
  const seen = (list: string[], part: string) => {
    const distinct = new Set<string>();
    list.forEach((id, index) => {
      if (distinct.has(id))
        throw new AdapterError('duplicate_id', `${id} is named twice in ${part}`, `${path}.${part}.${index}`);
      distinct.add(id);
    });
    return distinct;
  };

  const removed = seen(change.remove, 'remove');
  change.remove.forEach((id, index) => {
    if (!ids.has(id))
      throw new AdapterError('unknown_id', `${id} is not in the parent config`, `${path}.remove.${index}`);
  });
  seen(
    change.reweight.map(({ id }) => id),
    'reweight',
  );
  const weights = new Map(change.reweight.map(({ id, weight }) => [id, weight]));
  change.reweight.forEach(({ id }, index) => {
    if (!ids.has(id) || removed.has(id))
      throw new AdapterError('unknown_id', `${id} is not in the config to reweight`, `${path}.reweight.${index}`);
  });
  seen(
    change.add.map((item) => item.id),
    'add',
  );
  change.add.forEach(({ id }, index) => {
    if (ids.has(id))
      throw new AdapterError('duplicate_id', `${id} is already in the parent config`, `${path}.add.${index}`);
  });

  const kept = items
    .filter((item) => !removed.has(item.id))
    .map((item) => (weights.has(item.id) ? { ...item, weight: weights.get(item.id)! } : item));
  const result = [...kept, ...change.add];
  if (result.length > cap) {
    throw new AdapterError(
      'constraint_violation',
      `${path.split('.')[1]} would number ${result.length}, the policy allows at most ${cap}`,
      `${path}.add`,
    );
  }
  return {
    items: result,
    summary: {
      added: change.add.map((item) => item.id),
      removed: change.remove,
      reweighted: items
        .filter((item) => weights.has(item.id))
        .map((item) => ({ id: item.id, before: item.weight, after: weights.get(item.id)! })),
      count: { before: items.length, after: result.length },
    },
  };
}
