import type { JsonSchema } from './openapi';
import type { Rng } from './prng';

/** Values for fields by name (e.g. `agent_id` → an agent that exists), used where the schema allows them. */
export type Hints = Record<string, unknown>;

const STRING_CANDIDATES = ['fuzz_1', 'fuzz', 'a', '1', 'v1', 'x-1', 'A1'];
const SOME_UUID = '01900000-0000-7000-8000-000000000001';
const SOME_TIME = '2026-01-01T00:00:00.000Z';

export function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

function matches(pattern: string | undefined, value: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}

function exampleString(schema: JsonSchema): string {
  if (schema.format === 'date-time') return SOME_TIME;
  if (schema.format === 'uuid') return SOME_UUID;
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/fuzz';
  if (schema.format === 'email') return 'fuzz@example.com';
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  for (const candidate of STRING_CANDIDATES) {
    const value = candidate.length >= min ? candidate : candidate + 'a'.repeat(min - candidate.length);
    if (value.length <= max && matches(schema.pattern, value)) return value;
  }
  return 'a'.repeat(Math.max(1, min));
}

function exampleNumber(schema: JsonSchema, integer: boolean): number {
  let value = 1;
  if (typeof schema.minimum === 'number') value = Math.max(value, schema.minimum);
  if (typeof schema.exclusiveMinimum === 'number') value = Math.max(value, schema.exclusiveMinimum + 1);
  if (typeof schema.maximum === 'number') value = Math.min(value, schema.maximum);
  if (typeof schema.exclusiveMaximum === 'number')
    value = Math.min(value, schema.exclusiveMaximum - (integer ? 1 : 0.5));
  return integer ? Math.ceil(value) : value;
}

/**
 * A value meant to satisfy the schema (required members only, plus hinted ones), the baseline
 * every structured case mutates: a request that is valid but for one thing probes that thing.
 * Best effort: a pattern no candidate matches gives a value the app will refuse, still a probe.
 */
export function exampleOf(schema: JsonSchema, hints: Hints = {}, depth = 0): unknown {
  if (depth > 12) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.allOf && schema.allOf.length > 0) {
    return schema.allOf.reduce<unknown>((acc, part) => {
      const value = exampleOf(part, hints, depth + 1);
      return isPlainObject(acc) && isPlainObject(value) ? { ...acc, ...value } : value;
    }, undefined);
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) {
    const concrete = alternatives.find((alt) => !typesOf(alt).includes('null')) ?? alternatives[0]!;
    return exampleOf(concrete, hints, depth + 1);
  }
  const [type] = typesOf(schema).filter((t) => t !== 'null');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        if (key in hints) out[key] = hints[key];
        else if (schema.required?.includes(key)) out[key] = exampleOf(child, hints, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = Math.max(schema.minItems ?? 0, 1);
      return Array.from({ length: Math.min(count, schema.maxItems ?? count) }, () =>
        exampleOf(schema.items ?? {}, hints, depth + 1),
      );
    }
    case 'string':
      return exampleString(schema);
    case 'integer':
      return exampleNumber(schema, true);
    case 'number':
      return exampleNumber(schema, false);
    case 'boolean':
      return true;
    default:
      return schema.default ?? {};
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field of a body: where it is (keys and indexes) and its schema. */
export interface Field {
  path: (string | number)[];
  schema: JsonSchema;
  required: boolean;
}

/** Every declared field of the schema, breadth first (top-level fields first), up to `limit`. */
export function fieldsOf(schema: JsonSchema, limit = 200): Field[] {
  const fields: Field[] = [];
  const queue: Field[] = [{ path: [], schema, required: true }];
  while (queue.length > 0 && fields.length < limit) {
    const field = queue.shift()!;
    if (field.path.length > 0) fields.push(field);
    if (field.path.length >= 6) continue;
    const concrete = field.schema.anyOf?.[0] ?? field.schema.oneOf?.[0] ?? field.schema;
    for (const [key, child] of Object.entries(concrete.properties ?? {})) {
      queue.push({ path: [...field.path, key], schema: child, required: concrete.required?.includes(key) ?? false });
    }
    if (concrete.items) queue.push({ path: [...field.path, 0], schema: concrete.items, required: false });
  }
  return fields;
}

/** A copy of `value` with the field at `path` set (objects and arrays made on the way), or removed. */
export function withField(value: unknown, path: (string | number)[], next: unknown, remove = false): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const array = Array.isArray(value) ? [...(value as unknown[])] : [];
    if (remove && rest.length === 0) array.splice(head, 1);
    else array[head] = withField(array[head], rest, next, remove);
    return array;
  }
  const object = isPlainObject(value) ? { ...value } : {};
  if (remove && rest.length === 0) delete object[head!];
  else object[head!] = withField(object[head!], rest, next, remove);
  return object;
}

/** Text made to break things: control characters, NUL, lone and paired surrogates, RTL marks, long runs. */
export function randomString(rng: Rng, maxLength = 64): string {
  const pieces = [
    '\u0000',
    '\ud800',
    '\udfff',
    '\ud83d\ude00',
    '\u202e',
    '\ufeff',
    '\u0001',
    '\n',
    '"',
    '\\',
    '%00',
    '../',
    "'; DROP TABLE agents; --",
    '${x}',
    '{{x}}',
    '<script>',
    'é',
    '\u{10ffff}',
    'a',
    ' ',
  ];
  let out = '';
  const length = rng.int(0, maxLength);
  while (out.length < length) out += rng.chance(0.5) ? rng.pick(pieces) : String.fromCharCode(rng.int(0, 0xffff));
  return out;
}

/** A number at an edge: negative, zero, fractional, beyond 2^53, beyond int64, the largest double. */
export function edgeNumber(rng: Rng): number {
  return rng.pick([-1, 0, -0, 0.5, 1e-300, 2 ** 31, 2 ** 53 + 2, 2 ** 64, 9.2e18, 1e308, -1e308, Number.MAX_VALUE]);
}

/** Any JSON value, nested up to `depth`. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const kind = rng.int(0, depth > 0 ? 6 : 4);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return edgeNumber(rng);
    case 3:
    case 4:
      return randomString(rng);
    case 5:
      return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(0, 4) }, () => [randomString(rng, 12), randomJson(rng, depth - 1)]),
      );
  }
}

/**
 * Values the schema accepts at its edges: the longest string (in 1-, 2- and 4-byte characters
 * where no pattern narrows it), the bounds of a number, integers past int4 and 2^53 where no
 * maximum is declared, the most items. Accepted by the contract, so the app must store or
 * refuse them itself: a database column narrower than the contract shows here as a 5xx.
 */
export function edgeValuesOf(schema: JsonSchema): [string, unknown][] {
  const types = typesOf(schema);
  const out: [string, unknown][] = [];
  if (types.includes('string') && !schema.enum && !schema.format) {
    const max = schema.maxLength;
    if (max !== undefined && max <= 100_000) {
      for (const char of ['a', '1', 'A', '_']) {
        if (matches(schema.pattern, char.repeat(max))) {
          out.push(['at maxLength', char.repeat(max)]);
          break;
        }
      }
      if (!schema.pattern) {
        out.push(['at maxLength in 2-byte characters', 'é'.repeat(max)]);
        out.push(['at maxLength in 4-byte characters', '😀'.repeat(Math.floor(max / 2))]);
      }
    }
  }
  if (types.includes('number') || types.includes('integer')) {
    const integer = types.includes('integer');
    if (typeof schema.maximum === 'number') out.push(['at maximum', schema.maximum]);
    else if (integer) out.push(['past int4', 2_147_483_648], ['largest safe integer', Number.MAX_SAFE_INTEGER]);
    if (typeof schema.minimum === 'number') out.push(['at minimum', schema.minimum]);
    else if (integer) out.push(['below int4', -2_147_483_649]);
  }
  if (types.includes('array') && schema.maxItems !== undefined && schema.maxItems <= 10_000) {
    const item = exampleOf(schema.items ?? {});
    out.push(['at maxItems', Array.from({ length: schema.maxItems }, () => item)]);
  }
  return out;
}
