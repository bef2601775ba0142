import type { ConfigChange, LineDiff } from '@metaloop/events';
import { jsonEqual } from './canonical-json';

/**
 * Where two configs differ, leaf by leaf: objects are compared key by key (in key order), lists of items
 * with an `id` (memory facts, few-shot examples) item by item by id, anything else as a
 * whole. Paths read like `params.temperature`, `route.weights["backend.a"]`, `memory[fact_1].weight`.
 */
export function diffConfigs(before: unknown, after: unknown): ConfigChange[] {
  const changes: ConfigChange[] = [];
  walk('', before, after, changes);
  return changes;
}

function walk(path: string, before: unknown, after: unknown, changes: ConfigChange[]): void {
  if (jsonEqual(before, after)) return;
  if (before === undefined) {
    changes.push({ path, kind: 'added', after });
  } else if (after === undefined) {
    changes.push({ path, kind: 'removed', before });
  } else if (isRecord(before) && isRecord(after)) {
    // Sorted: stored JSON (jsonb) does not keep key order.
    for (const key of unionInOrder(Object.keys(before), Object.keys(after)).sort()) walk(member(path, key), before[key], after[key], changes);
  } else if (isIdList(before) && isIdList(after)) {
    const byId = (items: Array<{ id: string }>) => new Map(items.map((item) => [item.id, item]));
    const [old, next] = [byId(before), byId(after)];
    for (const id of unionInOrder([...old.keys()], [...next.keys()])) walk(`${path}[${id}]`, old.get(id), next.get(id), changes);
  } else {
    changes.push({ path, kind: 'changed', before, after });
  }
}

function member(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function unionInOrder(first: string[], second: string[]): string[] {
  return [...new Set([...first, ...second])];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIdList(value: unknown): value is Array<{ id: string }> {
  if (!Array.isArray(value)) return false;
  const ids = value.map((item) => (isRecord(item) && typeof item['id'] === 'string' ? item['id'] : undefined));
  return ids.every((id) => id !== undefined) && new Set(ids).size === ids.length;
}

/** Beyond this many line pairs the changed middle is shown as removed then added (no alignment). */
const MAX_ALIGNED_CELLS = 4_000_000;

/**
 * A line diff (longest common subsequence) of two texts, e.g. prompt templates: every line of
 * both in order, each `equal`, `removed` (only in `before`) or `added` (only in `after`).
 */
export function lineDiff(before: string, after: string): LineDiff {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const equal = (lines: string[]) => lines.map((text) => ({ op: 'equal' as const, text }));
  return [...equal(a.slice(0, start)), ...alignMiddle(a.slice(start, endA), b.slice(start, endB)), ...equal(a.slice(endA))];
}

function alignMiddle(a: string[], b: string[]): LineDiff {
  const removed = (text: string) => ({ op: 'removed' as const, text });
  const added = (text: string) => ({ op: 'added' as const, text });
  if (a.length === 0 || b.length === 0 || a.length * b.length > MAX_ALIGNED_CELLS) return [...a.map(removed), ...b.map(added)];
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..], row-major.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const out: LineDiff = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: 'equal', text: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      out.push(removed(a[i++]!));
    } else {
      out.push(added(b[j++]!));
    }
  }
  return [...out, ...a.slice(i).map(removed), ...b.slice(j).map(added)];
}
