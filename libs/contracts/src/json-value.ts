import { z } from 'zod';
import { LIMITS } from './limits';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './storable-text';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

interface JsonProblem {
  /** Where in the value, relative to it. */
  path: Array<string | number>;
  message: string;
}

function textProblem(text: string, limit: number, what: string): string | null {
  if (text.length > limit) return `${what} are limited to ${limit} characters`;
  return isStorableText(text) ? null : `${what} ${UNSTORABLE_TEXT_MESSAGE}`;
}

/** Why (and where) a free-form JSON value is out of bounds, or null when it is fine. */
function jsonProblem(value: unknown, depth: number): JsonProblem | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path: [], message: 'numbers must be finite' };
  if (typeof value === 'string') {
    const message = textProblem(value, LIMITS.longText, 'strings');
    return message ? { path: [], message } : null;
  }
  if (depth >= LIMITS.jsonDepth) return { path: [], message: `nesting deeper than ${LIMITS.jsonDepth} levels` };
  if (Array.isArray(value)) {
    if (value.length > LIMITS.jsonArrayItems)
      return { path: [], message: `arrays are limited to ${LIMITS.jsonArrayItems} items` };
    for (const [index, item] of value.entries()) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return { path: [index, ...problem.path], message: problem.message };
    }
    return null;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > LIMITS.jsonKeys)
      return { path: [], message: `objects are limited to ${LIMITS.jsonKeys} keys` };
    for (const [key, item] of entries) {
      if (!isStorableText(key)) return { path: [key], message: `keys ${UNSTORABLE_TEXT_MESSAGE}` };
      const problem = jsonProblem(item, depth + 1);
      if (problem) return { path: [key, ...problem.path], message: problem.message };
    }
    return null;
  }
  return { path: [], message: 'not a JSON value' };
}

/**
 * A free-form JSON object (context, selection) with bounded depth, keys and string sizes, and
 * only text Postgres can store (keys included); an issue names the path inside the object.
 */
export const boundedJsonObject = z.record(z.string().max(LIMITS.idLength), z.unknown()).superRefine((value, ctx) => {
  const problem = jsonProblem(value, 0);
  if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
}) as unknown as z.ZodType<Record<string, JsonValue>>;
