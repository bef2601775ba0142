/** Human output: aligned tables and key/value blocks (`--json` prints the API's JSON instead). */

export interface Column<T> {
  title: string;
  value: (row: T) => unknown;
}

/** A cell as text: null/undefined as "-", numbers as they are, objects as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
  if (typeof value === 'string') return value.replace(/\s+/g, ' ');
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(',') || '-';
  return JSON.stringify(value);
}

/** Columns padded to their widest cell, two spaces apart; a long cell is cut at `maxWidth`. */
export function table<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, maxWidth = 60): string {
  const header = columns.map((column) => column.title);
  const body = rows.map((row) => columns.map((column) => truncate(cell(column.value(row)), maxWidth)));
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((line) => line[i]!.length)));
  return [header, ...body]
    .map((line) =>
      line
        .map((text, i) => text.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One page of a list route: its table and, when there is more, the `--cursor` to ask for it. */
export function pageTable<T>(
  page: { items: readonly T[]; next_cursor: string | null },
  columns: ReadonlyArray<Column<T>>,
  empty: string,
): string {
  if (page.items.length === 0) return empty;
  const table_ = table(page.items, columns);
  return page.next_cursor ? `${table_}\nmore: --cursor ${page.next_cursor}` : table_;
}

/** `key  value` lines, keys aligned. */
export function fields(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(0, ...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${cell(value)}`).join('\n');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function percent(value: unknown): string {
  return typeof value === 'number' ? `${(value * 100).toFixed(1)} %` : '-';
}

/**
 * Any JSON shown for a person: scalars as aligned fields, arrays of objects as tables (their
 * scalar keys as columns), nested objects as indented sections. For answers whose shape the
 * command does not know column by column.
 */
export function render(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return renderArray(value, indent);
  if (!value || typeof value !== 'object') return `${indent}${cell(value)}`;
  const entries = Object.entries(value as Record<string, unknown>);
  const scalars = entries.filter(([, v]) => !isNested(v));
  const nested = entries.filter(([, v]) => isNested(v));
  const out: string[] = [];
  if (scalars.length > 0) out.push(indentLines(fields(scalars), indent));
  for (const [key, v] of nested) {
    const inner = render(v, `${indent}  `);
    out.push(`${indent}${key}:${inner.trim() ? `\n${inner}` : ' -'}`);
  }
  return out.join('\n');
}

function renderArray(items: unknown[], indent: string): string {
  if (items.length === 0) return `${indent}(none)`;
  if (items.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
    const rows = items as Array<Record<string, unknown>>;
    const keys = [...new Set(rows.flatMap((row) => Object.keys(row).filter((key) => !isNested(row[key]))))];
    if (keys.length > 0) {
      return indentLines(
        table(
          rows,
          keys.slice(0, 8).map((key) => ({ title: key.toUpperCase(), value: (row) => row[key] })),
        ),
        indent,
      );
    }
  }
  return items.map((item) => `${indent}- ${cell(item)}`).join('\n');
}

function isNested(value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => v !== null && typeof v === 'object');
  return value !== null && typeof value === 'object';
}

function indentLines(text: string, indent: string): string {
  return indent ? text.replace(/^/gm, indent) : text;
}
