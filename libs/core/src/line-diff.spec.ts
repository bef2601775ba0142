import { lineDiff, unifiedDiff } from './line-diff';

describe('lineDiff', () => {
  it.each([
    ['equal texts', 'a\nb', 'a\nb', ' a  b'],
    ['an appended line', 'a\nb', 'a\nb\nc', ' a  b +c'],
    ['a replaced middle line', 'a\nb\nc', 'a\nx\nc', ' a -b +x  c'],
    ['a moved line', 'a\nb\nc', 'b\nc\na', '-a  b  c +a'],
    ['everything new', 'a', 'b', '-a +b'],
  ])('diffs %s', (_name, before, after, expected) => {
    expect(
      lineDiff(before, after)
        .map((line) => `${line.op}${line.text}`)
        .join(' '),
    ).toBe(expected);
  });
});

describe('unifiedDiff', () => {
  const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');

  it('is empty for equal texts', () => {
    expect(unifiedDiff(before, before)).toEqual({ text: '', added: 0, removed: 0 });
  });

  it('keeps changes far apart in separate hunks with their context', () => {
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', '');
    expect(unifiedDiff(before, after, 1)).toEqual({
      text: [
        '@@ -1,3 +1,3 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        '@@ -17,3 +17,2 @@',
        ' line 17',
        '-line 18',
        ' line 19',
      ].join('\n'),
      added: 1,
      removed: 2,
    });
  });

  it('names the line before an insertion into an empty text', () => {
    expect(unifiedDiff('', 'x').text).toBe('@@ -1,1 +1,1 @@\n-\n+x');
    expect(unifiedDiff('a', 'a\nb', 0).text).toBe('@@ -1,0 +2,1 @@\n+b');
  });
});
