import { RegistryInputError } from './registry.errors';
import { revisionIdentity } from './revision-identity';

describe('revision identity (content hash)', () => {
  const config = {
    model: 'gpt-4o-mini',
    prompt: { version: 'v1', template: 'Be helpful.' },
    params: { temperature: 0.7, top_p: 0.9 },
  };

  it('gives the same id whatever the key order and whether defaults are spelled out', () => {
    const reordered = {
      params: { top_p: 0.9, temperature: 0.7 },
      prompt: { template: 'Be helpful.', version: 'v1' },
      model: 'gpt-4o-mini',
    };
    const spelledOut = { ...config, lora: [], memory: [], examples: [] };
    const ids = [config, reordered, spelledOut].map((c) => revisionIdentity('helpful_assistant', c).revisionId);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^rev_[0-9a-f]{24}$/);
  });

  it('tells configs apart by any change, and agents apart even with the same config', () => {
    const base = revisionIdentity('a', config);
    expect(revisionIdentity('a', { ...config, params: { temperature: 0.71, top_p: 0.9 } }).revisionId).not.toBe(
      base.revisionId,
    );
    const otherAgent = revisionIdentity('b', config);
    expect(otherAgent.revisionId).not.toBe(base.revisionId);
    expect(otherAgent.configHash).toBe(base.configHash);
  });

  it('stores the config with the defaults applied', () => {
    expect(revisionIdentity('a', config).config).toEqual({ ...config, lora: [], memory: [], examples: [] });
  });

  it('refuses an invalid config, naming the field', () => {
    expect(() => revisionIdentity('a', { ...config, params: { temperature: 3 } })).toThrow(RegistryInputError);
    expect(() => revisionIdentity('a', { ...config, params: { temperature: 3 } })).toThrow(/params\.temperature/);
  });
});
