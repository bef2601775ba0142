import { DEFAULT_ADAPTER_CONSTRAINTS, type AdapterConstraints } from '@metaloop/contracts';
import { context, PARENT } from './__tests__/fixtures';
import { createAdapters } from './adapters';

const adapter = createAdapters().PARAM_SET;
const policy: AdapterConstraints = {
  ...DEFAULT_ADAPTER_CONSTRAINTS,
  params: {
    allow: ['temperature', 'top_p', 'max_tokens', 'stop'],
    forbid: ['max_tokens'],
    bounds: { temperature: { min: 0.1, max: 1 } },
  },
};
const withPolicy = () => context({ constraints: policy });

describe('PARAM_SET', () => {
  it('sets and unsets params and reports before/after for what changes', () => {
    const { config, summary } = adapter.prepare(withPolicy(), { set: { temperature: 0.3, top_p: 0.9, stop: '###' } });
    expect(config.params).toEqual({ temperature: 0.3, top_p: 0.9, stop: '###', max_tokens: 512 });
    expect(summary.changes).toEqual({
      temperature: { before: 0.7, after: 0.3 },
      top_p: { before: null, after: 0.9 },
      stop: { before: null, after: '###' },
    });
    const unset = adapter.prepare(context(), { unset: ['max_tokens'] });
    expect(unset.config.params).toEqual({ temperature: 0.7 });
    expect(unset.summary.changes).toEqual({ max_tokens: { before: 512, after: null } });
  });

  it('lets any param through when the allow list is empty', () => {
    const open = context({
      constraints: { ...DEFAULT_ADAPTER_CONSTRAINTS, params: { allow: [], forbid: [], bounds: {} } },
    });
    expect(adapter.prepare(open, { set: { seed: 7 } }).config.params.seed).toBe(7);
  });

  it('matches allow and forbid entries as the policy writes them: `*` patterns, case-insensitive', () => {
    // The default constraints are the default policy's: `*model*` and `*url*` are forbidden, only listed params allowed.
    expect(() => adapter.prepare(context(), { set: { fallback_Model: 'x' } })).toThrow(
      expect.objectContaining({ code: 'constraint_violation', path: 'params.set.fallback_Model' }),
    );
    expect(() => adapter.prepare(context(), { set: { base_url: 'http://x' } })).toThrow(
      expect.objectContaining({ code: 'constraint_violation', message: expect.stringMatching(/forbidden/) }),
    );
    expect(() => adapter.prepare(context(), { set: { seed: 7 } })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/allow list/) }),
    );
    const patterned = context({
      constraints: { ...DEFAULT_ADAPTER_CONSTRAINTS, params: { allow: ['*_penalty'], forbid: [], bounds: {} } },
    });
    expect(adapter.prepare(patterned, { set: { presence_penalty: 0.5 } }).config.params.presence_penalty).toBe(0.5);
  });

  it.each([
    ['a forbidden param', { set: { max_tokens: 1024 } }, 'constraint_violation', 'params.set.max_tokens'],
    ['a param outside the allow list', { set: { seed: 7 } }, 'constraint_violation', 'params.set.seed'],
    ['a value above the bound', { set: { temperature: 1.5 } }, 'constraint_violation', 'params.set.temperature'],
    ['a value below the bound', { set: { temperature: 0 } }, 'constraint_violation', 'params.set.temperature'],
    [
      'a bounded param that is not a number',
      { set: { temperature: 'hot' } },
      'constraint_violation',
      'params.set.temperature',
    ],
    ['a value beyond the schema limit', { set: { top_p: 1.5 } }, 'invalid_params', 'params.set.top_p'],
    ['unsetting what is not set', { unset: ['top_p'] }, 'unknown_id', 'params.unset.0'],
    ['unsetting a forbidden param', { unset: ['max_tokens'] }, 'constraint_violation', 'params.unset.0'],
    [
      'setting and unsetting one param',
      { set: { temperature: 0.5 }, unset: ['temperature'] },
      'invalid_params',
      'params.unset.0',
    ],
    ['nothing to do', {}, 'invalid_params', 'params'],
    ['a nested value', { set: { temperature: { value: 1 } } }, 'invalid_params', 'params.set.temperature'],
    ['the current value', { set: { temperature: 0.7 } }, 'no_change', 'params'],
  ])('rejects %s', (_name, params, code, path) => {
    expect(() => adapter.prepare(withPolicy(), params)).toThrow(expect.objectContaining({ code, path }));
  });

  it('keeps the parent untouched', () => {
    const ctx = withPolicy();
    adapter.prepare(ctx, { set: { temperature: 0.3 } });
    expect(ctx.parent).toEqual(PARENT);
  });
});
