import { startFakeVllm, type FakeVllm } from '@metaloop/testing';
import { checkpoints, context, FAST, PARENT } from './__tests__/fixtures';
import type { MutationAdapter } from './adapter';
import { createAdapters } from './adapters';
import { AdapterError } from './errors';
import { adapterStateSchema } from './side-effects';

const LOAD = '/v1/load_lora_adapter';
const UNLOAD = '/v1/unload_lora_adapter';
const attach = { action: 'attach', adapter_id: 'tone-v2' };
const detach = { action: 'detach', adapter_id: 'tone-v1' };

describe('LORA_APPLY prepare', () => {
  const adapter = createAdapters().LORA_APPLY;

  it('attaches and detaches in the candidate config, with no call planned when no server is configured', () => {
    expect(adapter.prepare(context(), attach)).toMatchObject({
      config: { ...PARENT, lora: ['tone-v1', 'tone-v2'] },
      summary: {
        action: 'attach',
        adapter_id: 'tone-v2',
        base_model: 'llama-3-8b',
        lora: { before: ['tone-v1'], after: ['tone-v1', 'tone-v2'] },
      },
      side_effects: [],
    });
    expect(adapter.prepare(context(), detach).config.lora).toEqual([]);
  });

  it.each([
    ['an unregistered adapter', { action: 'attach', adapter_id: 'nope' }, 'unknown_candidate'],
    ['an adapter already attached', { action: 'attach', adapter_id: 'tone-v1' }, 'no_change'],
    ['an adapter for another base model', { action: 'attach', adapter_id: 'legal-70b' }, 'incompatible'],
    ['detaching what is not attached', { action: 'detach', adapter_id: 'tone-v2' }, 'unknown_id'],
  ])('rejects %s', (_name, params, code) => {
    expect(() => adapter.prepare(context(), params)).toThrow(
      expect.objectContaining({ code, path: 'params.adapter_id' }),
    );
  });

  it('rejects an unknown action', () => {
    expect(() => adapter.prepare(context(), { action: 'swap', adapter_id: 'tone-v2' })).toThrow(
      expect.objectContaining({ code: 'invalid_params', path: 'params.action' }),
    );
  });
});

describe('LORA_APPLY against a vLLM-compatible server', () => {
  let vllm: FakeVllm;
  let adapter: MutationAdapter<'LORA_APPLY'>;
  beforeEach(async () => {
    vllm = await startFakeVllm('llama-3-8b', 'key-1');
    adapter = createAdapters({ lora: { baseUrl: `${vllm.url}/`, apiKey: 'key-1', ...FAST } }).LORA_APPLY;
  });
  afterEach(() => vllm.close());
  const calls = () => vllm.received.map((request) => `${request.method} ${request.path}`);

  it('loads on attach, checkpointing before the call; verifies; reverts by unloading; all of it twice', async () => {
    const ctx = context();
    const prepared = adapter.prepare(ctx, attach);
    const { saved, checkpoint } = checkpoints();
    const state = await adapter.apply(ctx, prepared, checkpoint);
    expect(saved).toEqual([
      {
        type: 'LORA_APPLY',
        operation_id: ctx.operationId,
        effects: [{ effect: prepared.side_effects[0]!.effect, status: 'started' }],
      },
    ]);
    expect(state.effects).toEqual([
      { effect: { kind: 'lora_load', lora_name: 'tone-v2', lora_path: '/adapters/tone-v2' }, status: 'done' },
    ]);
    expect([...vllm.loaded]).toEqual([['tone-v2', '/adapters/tone-v2']]);
    expect(await adapter.verify(ctx, prepared, state)).toEqual({
      ok: true,
      checks: [{ kind: 'lora_load', target: 'tone-v2', ok: true, detail: 'the server lists the adapter' }],
    });

    expect(await adapter.apply(ctx, prepared, checkpoint)).toEqual(state); // "already loaded" counts as success
    const reverted = await adapter.revert(ctx, state);
    expect(reverted).toEqual({ config: PARENT, undone: [state.effects[0]!.effect] });
    expect(vllm.loaded.size).toBe(0);
    expect((await adapter.revert(ctx, state)).config).toEqual(PARENT); // "cannot be found" counts as success
    expect(calls()).toEqual([`POST ${LOAD}`, 'GET /v1/models', `POST ${LOAD}`, `POST ${UNLOAD}`, `POST ${UNLOAD}`]);
  });

  it('makes no call when reverting without an apply', async () => {
    expect((await adapter.revert(context(), null)).config).toEqual(PARENT);
    expect(vllm.received).toHaveLength(0);
  });

  it.each([
    ['a timeout', 'hang' as const],
    ['a 503', 503],
  ])('retries after %s and loads', async (_name, fault) => {
    vllm.fault(LOAD, fault, 1);
    const ctx = context();
    const state = await adapter.apply(ctx, adapter.prepare(ctx, attach), checkpoints().checkpoint);
    expect(state.effects[0]!.status).toBe('done');
    expect(vllm.loaded.has('tone-v2')).toBe(true);
    expect(calls()).toEqual([`POST ${LOAD}`, `POST ${LOAD}`]);
  });

  it('fails clearly when the server answers 5xx for good, and the checkpointed state still reverts', async () => {
    vllm.fault(LOAD, 503);
    vllm.loaded.set('tone-v2', '/adapters/tone-v2'); // the server may have loaded it although every answer failed
    const ctx = context();
    const prepared = adapter.prepare(ctx, attach);
    const { checkpoint, last } = checkpoints();
    const failure = await adapter.apply(ctx, prepared, checkpoint).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdapterError);
    expect(failure).toMatchObject({
      code: 'side_effect_failed',
      message: `POST ${vllm.url}${LOAD} failed after 3 attempts: 503 injected fault`,
    });
    expect((failure as AdapterError).state).toEqual(last());
    expect(last()!.effects).toEqual([{ effect: prepared.side_effects[0]!.effect, status: 'started' }]);
    expect((await adapter.verify(ctx, prepared, last()!)).ok).toBe(false);

    vllm.fault(UNLOAD, 503);
    await expect(adapter.revert(ctx, last())).rejects.toMatchObject({ code: 'side_effect_failed' });
    vllm.clearFaults();
    // Another process, after a crash: the state comes back from Postgres as JSON.
    const stored = adapterStateSchema.parse(JSON.parse(JSON.stringify(last())));
    const elsewhere = createAdapters({ lora: { baseUrl: vllm.url, apiKey: 'key-1', ...FAST } }).LORA_APPLY;
    expect((await elsewhere.revert(ctx, stored)).config).toEqual(PARENT);
    expect(vllm.loaded.size).toBe(0);
  });

  it('refuses to revert a LoRA state in a process with no LoRA server configured', async () => {
    const ctx = context();
    const state = await adapter.apply(ctx, adapter.prepare(ctx, attach), checkpoints().checkpoint);
    await expect(createAdapters().LORA_APPLY.revert(ctx, state)).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringContaining('none is configured'),
    });
  });

  it('detaches without unloading while the stable arm still serves with the adapter; promote unloads; revert re-loads', async () => {
    vllm.loaded.set('tone-v1', '/adapters/tone-v1');
    const ctx = context();
    const prepared = adapter.prepare(ctx, detach);
    const { checkpoint } = checkpoints();
    const applied = await adapter.apply(ctx, prepared, checkpoint);
    expect(applied.effects).toEqual([]);
    expect(vllm.received).toHaveLength(0);

    const promoted = await adapter.promote(ctx, prepared, applied, checkpoint);
    expect(promoted.effects).toEqual([
      { effect: { kind: 'lora_unload', lora_name: 'tone-v1', lora_path: '/adapters/tone-v1' }, status: 'done' },
    ]);
    expect(vllm.loaded.size).toBe(0);
    expect(await adapter.verify(ctx, prepared, promoted)).toMatchObject({
      ok: true,
      checks: [{ detail: 'the server no longer lists the adapter' }],
    });
    expect(await adapter.promote(ctx, prepared, promoted, checkpoint)).toEqual(promoted);
    expect(vllm.received.filter((request) => request.path === UNLOAD)).toHaveLength(1);

    await adapter.revert(ctx, promoted);
    expect([...vllm.loaded.keys()]).toEqual(['tone-v1']);
  });

  it('retries a promote that failed midway in place', async () => {
    vllm.loaded.set('tone-v1', '/adapters/tone-v1');
    vllm.fault(UNLOAD, 503);
    const ctx = context();
    const prepared = adapter.prepare(ctx, detach);
    const { checkpoint, last } = checkpoints();
    const applied = await adapter.apply(ctx, prepared, checkpoint);
    await expect(adapter.promote(ctx, prepared, applied, checkpoint)).rejects.toMatchObject({
      code: 'side_effect_failed',
    });
    vllm.clearFaults();
    const promoted = await adapter.promote(ctx, prepared, last()!, checkpoint);
    expect(promoted.effects).toEqual([{ effect: prepared.side_effects[0]!.effect, status: 'done' }]);
    expect(vllm.loaded.size).toBe(0);
  });

  it('reports a server that cannot be reached as not verified', async () => {
    const ctx = context();
    const prepared = adapter.prepare(ctx, attach);
    const state = await adapter.apply(ctx, prepared, checkpoints().checkpoint);
    vllm.fault('/v1/models', 500);
    expect(await adapter.verify(ctx, prepared, state)).toMatchObject({
      ok: false,
      checks: [{ detail: expect.stringContaining('models could not be listed') }],
    });
  });

  it('sends the API key', async () => {
    const keyless = createAdapters({ lora: { baseUrl: vllm.url, ...FAST } }).LORA_APPLY;
    const ctx = context();
    await expect(keyless.apply(ctx, keyless.prepare(ctx, attach), checkpoints().checkpoint)).rejects.toMatchObject({
      code: 'side_effect_failed',
      message: expect.stringContaining('answered 401'),
    });
  });
});
