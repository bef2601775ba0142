import { z } from 'zod';
import { LIMITS } from './limits';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Why a free-form JSON value is out of bounds, or null when it is fine. */
function jsonProblem(value: unknown, depth: number): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'numbers must be finite';
  if (typeof value === 'string')
    return value.length > LIMITS.longText ? `strings are limited to ${LIMITS.longText} characters` : null;
  if (depth >= LIMITS.jsonDepth) return `nesting deeper than ${LIMITS.jsonDepth} levels`;
  if (Array.isArray(value)) {
    if (value.length > LIMITS.jsonArrayItems) return `arrays are limited to ${LIMITS.jsonArrayItems} items`;
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > LIMITS.jsonKeys) return `objects are limited to ${LIMITS.jsonKeys} keys`;
    for (const [, item] of entries) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  return 'not a JSON value';
}

/** A free-form JSON object (context, selection) with bounded depth, keys and string sizes. */
export const boundedJsonObject = z.record(z.string().max(LIMITS.idLength), z.unknown()).superRefine((value, ctx) => {
  const problem = jsonProblem(value, 0);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}) as unknown as z.ZodType<Record<string, JsonValue>>;
