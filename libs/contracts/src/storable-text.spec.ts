import { isStorableText, storableString } from './storable-text';

describe('storable text', () => {
  it.each([
    ['plain', true],
    ['', true],
    ['emoji 😀 as a surrogate pair', true],
    ['a\u0000b', false],
    ['x\uD800', false],
    ['\uDC00x', false],
    ['\uDC00\uD800', false],
  ])('%j storable: %s', (text, storable) => {
    expect(isStorableText(text)).toBe(storable);
    expect(storableString().safeParse(text).success).toBe(storable);
  });
});
