import { context, PARENT } from './__tests__/fixtures';
import { createAdapters } from './adapters';

const adapter = createAdapters().MODEL_SWAP;

describe('MODEL_SWAP', () => {
  it('swaps to a registered model and compares costs', () => {
    const { config, summary } = adapter.prepare(context({ parent: { ...PARENT, lora: [] } }), { model: 'gpt-4o-mini' });
    expect(config).toEqual({ ...PARENT, lora: [], model: 'gpt-4o-mini' });
    expect(summary).toEqual({
      model: { before: 'llama-3-8b', after: 'gpt-4o-mini' },
      provider: 'openai',
      cost_per_1k_in: { before: 0.0002, after: 0.00015 },
      cost_per_1k_out: { before: 0.0004, after: 0.0006 },
    });
  });

  it('has no cost to compare when the current model is not registered', () => {
    const ctx = context({ parent: { ...PARENT, model: 'custom', lora: [] } });
    expect(adapter.prepare(ctx, { model: 'gpt-4o-mini' }).summary.cost_per_1k_in).toEqual({
      before: null,
      after: 0.00015,
    });
  });

  it.each([
    [
      'an unregistered model',
      { model: 'claude-9' },
      'unknown_candidate',
      'registered: llama-3-8b, llama-3-70b, gpt-4o-mini',
    ],
    ['the current model', { model: 'llama-3-8b' }, 'no_change', 'already the agent'],
    [
      'a model the attached LoRA adapter is not for',
      { model: 'llama-3-70b' },
      'incompatible',
      'tone-v1 (base model llama-3-8b)',
    ],
  ])('rejects %s', (_name, params, code, message) => {
    expect(() => adapter.prepare(context(), params)).toThrow(
      expect.objectContaining({ code, path: 'params.model', message: expect.stringContaining(message) }),
    );
  });

  it('ignores attached adapters it knows nothing about', () => {
    const ctx = context({ parent: { ...PARENT, lora: ['unregistered'] } });
    expect(adapter.prepare(ctx, { model: 'llama-3-70b' }).config.lora).toEqual(['unregistered']);
  });
});
