import { isStorableText } from '@metaloop/contracts';
import { RegistryInputError } from './registry.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sort keys of the listings, and how to tell a key one of them issued. */
export const CURSOR_KEYS = {
  /** Agents: [agent id]. */
  agentId: (key: string[]) => key.length === 1,
  /** Candidates: [candidate id, a UUIDv7, so in registration order]. */
  candidateId: (key: string[]) => key.length === 1 && UUID.test(key[0]!),
  /** Revisions: [created_at ISO time, revision id]. */
  createdAtAndId: (key: string[]) => key.length === 2 && !Number.isNaN(Date.parse(key[0]!)),
};

/** An opaque cursor over the sort key of a listing's last item. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor carries; a cursor this listing did not issue is a 400. */
export function decodeCursor(cursor: string, isKey: (key: string[]) => boolean): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  // A part Postgres cannot compare with (a NUL) would fail the query: it is no cursor this listing issued.
  if (Array.isArray(key) && key.every((part) => typeof part === 'string' && isStorableText(part)) && isKey(key))
    return key;
  throw new RegistryInputError('cursor: not a cursor of this listing (pass next_cursor of the previous page)');
}

/** Rows fetched with `take: limit + 1` → the page and the cursor of the next one. */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (row: Row) => string[],
) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(toItem), next_cursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
