import { MUTATION_TYPES, type AgentConfig, type MutationType } from '@metaloop/contracts';
import { checkpoints, context as freshContext, PARENT } from './__tests__/fixtures';
import type { MutationAdapter } from './adapter';
import { createAdapters } from './adapters';
import { AdapterError } from './errors';

const WITHOUT_LORA: AgentConfig = { ...PARENT, lora: [] };

/** One valid mutation per type, what it must change, and the parent it starts from. */
const CASES: Array<[MutationType, unknown, (config: AgentConfig) => unknown, unknown, AgentConfig?]> = [
  ['PROMPT_PATCH', { source: 'candidate', version: 'v4' }, (c) => c.prompt.version, 'v4'],
  ['MODEL_SWAP', { model: 'gpt-4o-mini' }, (c) => c.model, 'gpt-4o-mini', WITHOUT_LORA],
  ['LORA_APPLY', { action: 'attach', adapter_id: 'tone-v2' }, (c) => c.lora, ['tone-v1', 'tone-v2']],
  ['ROUTE_CHANGE', { weights: { 'eu-1': 70, 'us-1': 30 } }, (c) => c.route?.weights, { 'eu-1': 70, 'us-1': 30 }],
  ['PARAM_SET', { set: { temperature: 0.3 } }, (c) => c.params.temperature, 0.3],
  ['MEMORY_UPDATE', { facts: { remove: ['hours'] } }, (c) => c.memory.map((fact) => fact.id), ['plan']],
];

describe.each(CASES)('%s round trip', (type, params, changed, expected, parent = PARENT) => {
  const adapter: MutationAdapter = createAdapters()[type];
  const context = () => freshContext({ parent: structuredClone(parent) });

  it('derives the candidate from the parent without touching the parent', () => {
    const ctx = context();
    const prepared = adapter.prepare(ctx, params);
    expect(changed(prepared.config)).toEqual(expected);
    expect(ctx.parent).toEqual(parent);
    expect(prepared.type).toBe(type);
  });

  it('applies, verifies and reverts to exactly the parent; twice is harmless', async () => {
    const ctx = context();
    const prepared = adapter.prepare(ctx, params);
    const { checkpoint } = checkpoints();
    const state = await adapter.apply(ctx, prepared, checkpoint);
    expect(await adapter.apply(ctx, prepared, checkpoint)).toEqual(state);
    expect(state).toEqual({ type, operation_id: ctx.operationId, effects: [] });
    expect(await adapter.verify(ctx, prepared, state)).toEqual({ ok: true, checks: [] });
    expect((await adapter.revert(ctx, state)).config).toEqual(parent);
    expect((await adapter.revert(ctx, state)).config).toEqual(parent);
  });

  it('reverts with no apply at all', async () => {
    expect(await adapter.revert(context(), null)).toEqual({ config: parent, undone: [] });
  });

  it('rejects params that break the schema, naming the field', () => {
    expect(() => adapter.prepare(context(), { unexpected: true })).toThrow(
      expect.objectContaining({ code: 'invalid_params' }),
    );
  });

  it('refuses a state of another operation', async () => {
    const state = { type, operation_id: 'someone-else', effects: [] };
    await expect(adapter.revert(context(), state)).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('the registry', () => {
  it('has one adapter per mutation type', () => {
    const adapters = createAdapters();
    expect(Object.keys(adapters).sort()).toEqual([...MUTATION_TYPES].sort());
    for (const type of MUTATION_TYPES) expect(adapters[type].type).toBe(type);
  });

  it('throws AdapterError with a path into the params', () => {
    const error = (() => {
      try {
        createAdapters().MODEL_SWAP.prepare(freshContext(), { model: '' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ code: 'invalid_params', path: 'params.model' });
  });
});
