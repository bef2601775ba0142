import { paramKeyVerdict, paramPatternMatches } from './adapter-constraints';

describe('param patterns', () => {
  it.each([
    ['*model*', 'model', true],
    ['*model*', 'fallback_MODEL_name', true],
    ['model', 'model_id', false],
    ['top_p', 'top_p', true],
    ['a.b', 'axb', false],
    ['*', 'anything', true],
  ])('%s matches %s: %s', (pattern, key, matches) => {
    expect(paramPatternMatches(pattern, key)).toBe(matches);
  });

  it('forbids before it allows', () => {
    const params = { allow: ['*'], forbid: ['*secret*'], bounds: {} };
    expect(paramKeyVerdict(params, 'client_secret')).toBe('forbidden');
    expect(paramKeyVerdict(params, 'temperature')).toBe('allowed');
    expect(paramKeyVerdict({ ...params, allow: ['top_p'] }, 'temperature')).toBe('not_allowed');
    expect(paramKeyVerdict({ ...params, allow: [] }, 'temperature')).toBe('allowed');
    expect(paramKeyVerdict({ ...params, allow: [] }, 'client_secret')).toBe('forbidden');
  });
});
