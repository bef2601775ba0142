export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Beyond this many cells the middle is diffed as "all removed, all added": still correct, just not minimal. */
const MAX_LCS_CELLS = 4_000_000;

/** Line diff (longest common subsequence) after trimming the common head and tail. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let endA = a.length;
  let endB = b.length;
  while (endA > head && endB > head && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const keep = (lines: string[]): DiffLine[] => lines.map((text) => ({ op: ' ', text }));
  return [...keep(a.slice(0, head)), ...diffMiddle(a.slice(head, endA), b.slice(head, endB)), ...keep(a.slice(endA))];
}

function diffMiddle(a: string[], b: string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if ((n + 1) * (m + 1) > MAX_LCS_CELLS) {
    return [...a.map((text): DiffLine => ({ op: '-', text })), ...b.map((text): DiffLine => ({ op: '+', text }))];
  }
  // lcs[i * (m + 1) + j] = LCS length of a[i..] and b[j..]
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      lines.push({ op: ' ', text: a[i++]! });
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      lines.push({ op: '-', text: a[i++]! });
    } else {
      lines.push({ op: '+', text: b[j++]! });
    }
  }
  return lines;
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
  return [`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...body.map((line) => `${line.op}${line.text}`)].join('\n');
}
