import { MAX_TEMPLATE_CHARS, patchedTemplate, suggestionVersion } from './suggestion-candidate';

describe('a suggestion as a prompt candidate', () => {
  it("versions it after the stable version and the suggestion id's tail, within the registry's 128 characters", () => {
    const id = '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
    expect(suggestionVersion('v1', id)).toBe('v1-sugg-1c2d3e4f5a6b');
    const long = suggestionVersion('x'.repeat(128), id);
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^[A-Za-z0-9_.:/@-]+$/);
  });

  it('appends the patch as its own paragraph, unless the template would grow past the limit', () => {
    expect(patchedTemplate('You are helpful.\n\n', '  Be brief. ')).toBe('You are helpful.\n\nBe brief.');
    expect(patchedTemplate('x'.repeat(MAX_TEMPLATE_CHARS - 5), 'Be brief.')).toBeUndefined();
  });
});
