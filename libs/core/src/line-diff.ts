import { diffArrays } from 'diff';

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Line diff (Myers, by the `diff` package) of the texts' `\n`-separated lines. */
export function lineDiff(before: string, after: string): DiffLine[] {
  return diffArrays(before.split('\n'), after.split('\n')).flatMap((change) =>
    change.value.map((text): DiffLine => ({ op: change.added ? '+' : change.removed ? '-' : ' ', text })),
  );
}

export interface UnifiedDiff {
  text: string;
  added: number;
  removed: number;
}

/** `@@ -l,n +l,n @@` hunks with `context` unchanged lines around each change; empty text when equal. */
export function unifiedDiff(before: string, after: string, context = 3): UnifiedDiff {
  const lines = lineDiff(before, after);
  const changed = lines.flatMap((line, index) => (line.op === ' ' ? [] : [index]));
  const hunks: Array<[number, number]> = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(lines.length, index + context + 1);
    const last = hunks.at(-1);
    if (last && from <= last[1]) last[1] = to;
    else hunks.push([from, to]);
  }
  const text = hunks.map(([from, to]) => hunk(lines, from, to)).join('\n');
  return {
    text,
    added: lines.filter((line) => line.op === '+').length,
    removed: lines.filter((line) => line.op === '-').length,
  };
}

function hunk(lines: DiffLine[], from: number, to: number): string {
  const countBefore = (ops: string, end: number) => lines.slice(0, end).filter((line) => ops.includes(line.op)).length;
  const body = lines.slice(from, to);
  const oldCount = body.filter((line) => line.op !== '+').length;
  const newCount = body.filter((line) => line.op !== '-').length;
  // A side with no lines names the line before the hunk, as diff(1) does.
  const oldStart = countBefore(' -', from) + (oldCount > 0 ? 1 : 0);
  const newStart = countBefore(' +', from) + (newCount > 0 ? 1 : 0);
  return [
    `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`,
    ...body.map((line) => `${line.op}${line.text}`),
  ].join('\n');
}
