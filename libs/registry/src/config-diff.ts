import { lineDiff } from '@metaloop/core';
import type { ConfigChange, LineDiff } from '@metaloop/contracts';
import { jsonEqual } from '@metaloop/core';

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
    for (const key of unionInOrder(Object.keys(before), Object.keys(after)).sort())
      walk(member(path, key), before[key], after[key], changes);
  } else if (isIdList(before) && isIdList(after)) {
    const byId = (items: Array<{ id: string }>) => new Map(items.map((item) => [item.id, item]));
    const [old, next] = [byId(before), byId(after)];
    for (const id of unionInOrder([...old.keys()], [...next.keys()]))
      walk(`${path}[${id}]`, old.get(id), next.get(id), changes);
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

const LINE_OPS = { ' ': 'equal', '-': 'removed', '+': 'added' } as const;

/**
 * Two texts (prompt templates) line by line, as the wire shows it: every line of both in
 * order, `equal`, `removed` (only in `before`) or `added` (only in `after`).
 */
export function templateDiff(before: string, after: string): LineDiff {
  return lineDiff(before, after).map((line) => ({ op: LINE_OPS[line.op], text: line.text }));
}
