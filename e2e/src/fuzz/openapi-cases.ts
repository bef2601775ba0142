import { operationKey, type JsonSchema, type OpenApiParameter, type Operation } from './openapi';
import { hashString, type Rng } from './prng';
import {
  edgeNumber,
  edgeValuesOf,
  exampleOf,
  fieldsOf,
  randomJson,
  randomString,
  typesOf,
  withField,
  type Field,
} from './schema-values';

/** One request to send: everything percent-encoded or in bytes already, so it goes out exactly as made. */
export interface FuzzRequest {
  app: string;
  /** `app METHOD /path/{template}`. */
  operation: string;
  /** What is wrong with it, e.g. `body.config.model: NUL`. */
  label: string;
  method: string;
  /** Path and query, percent-encoded. */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** A Content-Length other than the body's (a promised body that never comes whole). */
  contentLength?: number;
}

export interface CaseContext {
  /** A key with the admin scope: validation, not authorization, is what most cases exercise. */
  adminKey: string;
  /** Ids that exist, by the name of the path parameter or body field that takes them. */
  ids: Record<string, string[]>;
  rng: Rng;
  /** Body fields probed one by one per operation (breadth first: top-level fields first). */
  fieldLimit: number;
  /** Random requests per operation on top of the structured ones. */
  randomCases: number;
  /** A body size beyond every body limit of the apps under test. */
  oversizeBytes: number;
}

/** Path parameter values (percent-encoded as sent) that must be refused with a 4xx, never a 5xx. */
export const BAD_PATH_VALUES = [
  '%00',
  'a%00b',
  '%ff%fe',
  '%zz',
  '%',
  '%C0%80',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%E2%80%AE',
  'x'.repeat(129),
  'x'.repeat(5000),
  '-1',
  '0',
  '99999999999999999999',
  '1e309',
  '%2e%2e',
  '%2F',
  '%20',
  '%5Cu0000',
  "'%20OR%201%3D1--",
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '3b241101-e2bb-4255-8caf-4136c566a962',
  '01900000-0000-7000-8000-00000000000g',
];

/** Query parameter values (percent-encoded as sent): wrong types, NUL, bad bytes, edges, out-of-range cursors. */
export const BAD_QUERY_VALUES = [
  '%00',
  'a%00b',
  '%ff%fe',
  '%zz',
  '%ED%A0%80',
  'x'.repeat(5000),
  '',
  '-1',
  '0',
  '1.5',
  '99999999999999999999',
  '-99999999999999999999',
  '9223372036854775808',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  'true',
  '%5B%5D',
  '%7B%7D',
  'eyJpZCI6MX0',
  '00000000-0000-0000-0000-000000000000',
  '2026-13-45T99%3A99%3A99Z',
];

/** Wrong content types for a JSON body (the body itself stays valid JSON). */
export const BAD_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonx',
  '*/*',
];

const WELL_SHAPED_UNKNOWN_KEY = `mlk_zzzzzzzz_${'A'.repeat(43)}`;
const BAD_UTF8 = Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf8]);
const MARK = '\u0007fuzz-bytes\u0007';
const SOME_UUID = '01900000-0000-7000-8000-0000000000aa';

interface Draft {
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  /** A JSON value, or bytes sent as they are; undefined sends no body. */
  body?: unknown;
  raw?: Buffer;
  /** The body's content type: application/json unless set; null sends none. */
  contentType?: string | null;
  contentLength?: number;
}

/** A value as a case's label shows it: long ones by their length. */
export function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 12)}…(${value.length} chars)` : value;
}

/** Percent-encodes text; a lone surrogate (which encodeURIComponent refuses) becomes its would-be UTF-8 bytes. */
export function encodeText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += Buffer.from([0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)])
        .toString('hex')
        .replace(/../g, '%$&');
    } else out += encodeURIComponent(char);
  }
  return out;
}

function defaultId(param: OpenApiParameter, ctx: CaseContext): string {
  const known = ctx.ids[param.name]?.[0];
  if (known !== undefined) return encodeText(known);
  return param.name.includes('agent') ? 'fuzz_nobody' : SOME_UUID;
}

/** The request that is valid but for what a case changes: real ids, required query params, a schema-valid body. */
export function baselineOf(operation: Operation, ctx: CaseContext): Draft {
  const path: Record<string, string> = {};
  const query: [string, string][] = [];
  for (const param of operation.parameters) {
    if (param.in === 'path') path[param.name] = defaultId(param, ctx);
    if (param.in === 'query' && param.required) {
      query.push([param.name, encodeText(String(exampleOf(param.schema ?? { type: 'string' })))]);
    }
  }
  const hints = Object.fromEntries(Object.entries(ctx.ids).map(([name, ids]) => [name, ids[0]]));
  return {
    path,
    query,
    headers: operation.secured ? { authorization: `Bearer ${ctx.adminKey}` } : {},
    body: operation.body ? exampleOf(operation.body.schema, hints) : undefined,
  };
}

function toRequest(operation: Operation, label: string, draft: Draft): FuzzRequest {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => draft.path[name] ?? '');
  const search = draft.query.map(([name, value]) => `${encodeText(name)}=${value}`).join('&');
  const headers = { ...draft.headers };
  let body: Buffer | undefined = draft.raw;
  if (body === undefined && draft.body !== undefined) body = Buffer.from(JSON.stringify(draft.body));
  const contentType = draft.contentType === undefined ? 'application/json' : draft.contentType;
  if (body !== undefined && contentType !== null) headers['content-type'] = contentType;
  return {
    app: operation.app,
    operation: operationKey(operation),
    label,
    method: operation.method,
    url: search ? `${path}?${search}` : path,
    headers,
    body,
    ...(draft.contentLength === undefined ? {} : { contentLength: draft.contentLength }),
  };
}

/** Body bytes: the draft's JSON with the value at `path` replaced by `bytes` (not UTF-8, or JSON too deep to build). */
function spliced(body: unknown, path: (string | number)[], bytes: Buffer): Buffer {
  const [before, after] = JSON.stringify(withField(body, path, MARK)).split(JSON.stringify(MARK));
  return Buffer.concat([Buffer.from(before ?? ''), bytes, Buffer.from(after ?? '')]);
}

/** The example with its example ids made unique (`fuzz_1` → `fuzz_1_<n>`), so a create is not a conflict. */
function freshen(value: unknown, n: string): unknown {
  if (value === 'fuzz_1') return `fuzz_1_${n}`;
  if (Array.isArray(value)) return value.map((item) => freshen(item, n));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, freshen(item, n)]));
  }
  return value;
}

/** JSON nested `depth` deep, alternating objects and arrays. */
function nestedJson(depth: number): Buffer {
  const open = Array.from({ length: depth }, (_, i) => (i % 2 ? '[' : '{"a":')).join('');
  const close = Array.from({ length: depth }, (_, i) => (i % 2 ? ']' : '}'))
    .reverse()
    .join('');
  return Buffer.from(`${open}"deep"${close}`);
}

/** A wrong-typed value for a schema: a string where a number goes, a number where a string goes, and so on. */
function wrongType(schema: JsonSchema): unknown {
  const types = typesOf(schema);
  if (types.includes('string')) return 12345;
  if (types.includes('number') || types.includes('integer')) return '12345';
  if (types.includes('boolean')) return 'true';
  if (types.includes('array')) return { 0: 'x' };
  if (types.includes('object')) return ['x'];
  return [[[]]];
}

const REMOVE = Symbol('remove');
/** An object with an own `__proto__` member, as JSON.parse makes it (a literal would set the prototype). */
const PROTO_POLLUTION: unknown = JSON.parse('{"zz_unknown":1,"__proto__":{"polluted":true}}');

function fieldMutations(field: Field): [string, unknown][] {
  const types = typesOf(field.schema);
  const out: [string, unknown][] = [
    [field.required ? 'missing' : 'null', field.required ? REMOVE : null],
    ['wrong type', wrongType(field.schema)],
    ['NUL', 'a\u0000b'],
    ['lone surrogate', 'x\ud800y'],
  ];
  if (types.includes('string') || types.length === 0) {
    out.push(['one over maxLength', 'a'.repeat((field.schema.maxLength ?? 100_000) + 1)]);
    out.push(['empty', '']);
  }
  if (types.includes('number') || types.includes('integer')) {
    out.push(
      ['negative', -1],
      ['beyond int64', 2 ** 64],
      ['largest double', 1.7976931348623157e308],
      ['fraction', 0.5],
    );
  }
  if (types.includes('object')) out.push(['extra field', PROTO_POLLUTION]);
  if (types.includes('array')) out.push(['10,000 items', Array.from({ length: 10_000 }, () => 'x')]);
  return out;
}

/**
 * The structured cases of one operation: its auth, every path and query parameter with bad
 * values, its headers, and its body whole (empty, not JSON, not UTF-8, too big, too deep, wrong
 * content type) and field by field (missing, wrong type, NUL, lone surrogate, too long, edge
 * numbers, extra fields, deep nesting). Then `randomCases` random ones. Pure: the same operation,
 * context and seed give the same requests.
 */
export function casesFor(operation: Operation, ctx: CaseContext): FuzzRequest[] {
  const rng = ctx.rng.fork(operationKey(operation));
  const base = baselineOf(operation, ctx);
  const fresh = (hashString(operationKey(operation)) % 10_000).toString(36);
  const out: FuzzRequest[] = [];
  const add = (label: string, change: (draft: Draft) => void) => {
    const draft: Draft = structuredClone({ ...base, raw: undefined });
    draft.body = base.body === undefined ? undefined : structuredClone(base.body);
    change(draft);
    out.push(toRequest(operation, label, draft));
  };

  add('baseline', () => undefined);

  if (operation.secured) {
    add('auth: no key', (d) => delete d.headers['authorization']);
    add('auth: unknown key', (d) => (d.headers['authorization'] = `Bearer ${WELL_SHAPED_UNKNOWN_KEY}`));
    add('auth: not a key', (d) => (d.headers['authorization'] = 'Bearer not-a-key'));
    add('auth: basic', (d) => (d.headers['authorization'] = 'Basic Zm9vOmJhcg=='));
    add('auth: empty bearer', (d) => (d.headers['authorization'] = 'Bearer '));
  }

  for (const param of operation.parameters.filter((p) => p.in === 'path')) {
    for (const value of BAD_PATH_VALUES) add(`path ${param.name}=${shown(value)}`, (d) => (d.path[param.name] = value));
    for (const [name, ids] of Object.entries(ctx.ids)) {
      if (name !== param.name && ids[0])
        add(`path ${param.name}=<a ${name}>`, (d) => (d.path[param.name] = encodeText(ids[0]!)));
    }
  }

  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  if (queryParams.length > 0) {
    add('query: every optional parameter', (d) => {
      for (const param of queryParams.filter((p) => !p.required)) {
        d.query.push([param.name, encodeText(String(exampleOf(param.schema ?? { type: 'string' })))]);
      }
    });
  }
  for (const param of queryParams) {
    const set = (d: Draft, value: string) => {
      d.query = d.query.filter(([name]) => name !== param.name);
      d.query.push([param.name, value]);
    };
    for (const value of BAD_QUERY_VALUES) add(`query ${param.name}=${shown(value)}`, (d) => set(d, value));
    for (const [label, value] of edgeValuesOf(param.schema ?? {})) {
      add(`query ${param.name}: ${label}`, (d) => set(d, encodeText(String(value))));
    }
    add(`query ${param.name} twice`, (d) => {
      set(d, '1');
      d.query.push([param.name, '2']);
    });
    add(`query ${param.name}[]`, (d) => d.query.push([`${param.name}[]`, '1']));
    if (param.required)
      add(`query ${param.name} missing`, (d) => (d.query = d.query.filter(([n]) => n !== param.name)));
  }
  add('query: unknown parameters', (d) => d.query.push(['zz_unknown', '1'], ['__proto__', '%00']));

  for (const param of operation.parameters.filter((p) => p.in === 'header')) {
    for (const [label, value] of [
      ['empty', ''],
      ['long', 'k'.repeat(4_000)],
      ['latin-1 bytes', '\u00e9\u00ff'],
      ['quote', 'W/"x", "y'],
    ] as const) {
      add(`header ${param.name}: ${label}`, (d) => (d.headers[param.name.toLowerCase()] = value));
    }
  }
  add('header: larger than the server accepts', (d) => (d.headers['x-fuzz-padding'] = 'p'.repeat(40_000)));
  add('header: accept xml only', (d) => (d.headers['accept'] = 'application/xml'));

  if (operation.body) {
    const json = JSON.stringify(base.body);
    const raw = (label: string, bytes: Buffer | string, contentType: string | null = 'application/json') =>
      add(`body: ${label}`, (d) => {
        d.raw = Buffer.from(bytes);
        d.contentType = contentType;
      });
    add('body: none', (d) => (d.body = undefined));
    raw('empty', '');
    raw('empty, no content type', '', null);
    for (const literal of ['null', '[]', '"x"', '0', 'true', '{}']) raw(literal, literal);
    raw('truncated', json.slice(0, Math.max(1, json.length - 1)));
    raw('not JSON', 'hello, world');
    raw('BOM then JSON', `\ufeff${json}`);
    raw('trailing garbage', `${json}}}`);
    raw('duplicate keys', json.replace(/^\{/, '{"zz":1,"zz":2,'));
    raw('not UTF-8', Buffer.concat([Buffer.from('{"x":"'), BAD_UTF8, Buffer.from('"}')]));
    raw('nested 10,000 deep (arrays)', `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    raw('nested 10,000 deep (objects)', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    raw('nested 10,000 deep (mixed)', nestedJson(10_000));
    raw('beyond the body limit', Buffer.alloc(ctx.oversizeBytes, 0x20));
    raw('JSON beyond the body limit', `{"x":"${'a'.repeat(ctx.oversizeBytes)}"}`);
    for (const type of BAD_CONTENT_TYPES) raw(`content type ${type}`, json, type);
    raw('no content type', json, null);
    add('body: shorter than its content-length', (d) => {
      d.raw = Buffer.from(json);
      d.contentLength = d.raw.length + 100;
    });
    add(
      'body: extra top-level fields',
      (d) => (d.body = { ...(d.body as object), zz_unknown: 1, constructor: { x: 1 } }),
    );

    for (const field of fieldsOf(operation.body.schema).slice(0, ctx.fieldLimit)) {
      const where = `body.${field.path.join('.')}`;
      for (const [label, value] of fieldMutations(field)) {
        add(`${where}: ${label}`, (d) => (d.body = withField(d.body, field.path, value, value === REMOVE)));
      }
      // Values the contract accepts, so they reach the service and the database: once with the real
      // ids, once with fresh ones (a create with a taken id would stop at its 409).
      for (const [label, value] of edgeValuesOf(field.schema)) {
        add(`${where}: ${label}`, (d) => (d.body = withField(d.body, field.path, value)));
        add(`${where}: ${label}, fresh ids`, (d) => {
          d.body = withField(freshen(exampleOf(operation.body!.schema), `${fresh}${out.length}`), field.path, value);
        });
      }
      add(`${where}: nested 5,000 deep`, (d) => (d.raw = spliced(d.body, field.path, nestedJson(5_000))));
      if (typesOf(field.schema).includes('string')) {
        const bytes = Buffer.concat([Buffer.from('"'), BAD_UTF8, Buffer.from('"')]);
        add(`${where}: not UTF-8`, (d) => (d.raw = spliced(d.body, field.path, bytes)));
      }
    }
  }

  for (let i = 0; i < ctx.randomCases; i++) out.push(randomCase(operation, base, rng, i));
  return out;
}

/** A random request: 1–3 random changes to the baseline (params, body fields, whole body, content type). */
function randomCase(operation: Operation, base: Draft, rng: Rng, index: number): FuzzRequest {
  const draft: Draft = structuredClone({ ...base, raw: undefined });
  const fields = operation.body ? fieldsOf(operation.body.schema) : [];
  const params = operation.parameters.filter((p) => p.in === 'path' || p.in === 'query');
  const changes: string[] = [];
  for (let n = rng.int(1, 3); n > 0; n--) {
    const roll = rng.int(0, 5);
    if (roll <= 1 && params.length > 0) {
      const param = rng.pick(params);
      const value = rng.pick([
        () => encodeText(randomString(rng)),
        () => randomBytesEncoded(rng),
        () => encodeText(String(edgeNumber(rng))),
      ])();
      if (param.in === 'path') draft.path[param.name] = value;
      else draft.query.push([param.name, value]);
      changes.push(`${param.in} ${param.name}`);
    } else if (roll <= 3 && fields.length > 0) {
      const field = rng.pick(fields);
      draft.body = withField(draft.body, field.path, randomJson(rng));
      changes.push(`body.${field.path.join('.')}`);
    } else if (roll === 4 && operation.body) {
      draft.body = randomJson(rng, 4);
      changes.push('whole body');
    } else if (operation.body) {
      draft.contentType = rng.pick([...BAD_CONTENT_TYPES, 'application/json']);
      changes.push('content type');
    } else {
      draft.query.push([encodeText(randomString(rng, 8)) || 'q', encodeText(randomString(rng))]);
      changes.push('unknown query parameter');
    }
  }
  return toRequest(operation, `random #${index}: ${changes.join(', ')}`, draft);
}

function randomBytesEncoded(rng: Rng): string {
  let out = '';
  for (let i = rng.int(1, 12); i > 0; i--) out += `%${rng.int(0, 255).toString(16).padStart(2, '0')}`;
  return out;
}

const PROBE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * What no document declares: each documented path with the methods it does not take, and
 * paths no app serves (a 404 or 405 problem, like any other refusal).
 */
export function undeclaredCases(operations: Operation[], ctx: CaseContext): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const byPath = new Map<string, Operation[]>();
  for (const operation of operations) {
    const key = `${operation.app} ${operation.path}`;
    byPath.set(key, [...(byPath.get(key) ?? []), operation]);
  }
  for (const [, declared] of byPath) {
    const first = declared[0]!;
    const base = baselineOf({ ...first, body: undefined }, ctx);
    base.headers['authorization'] = `Bearer ${ctx.adminKey}`;
    for (const method of PROBE_METHODS.filter((m) => !declared.some((op) => op.method === m))) {
      out.push({
        ...toRequest({ ...first, method }, `undeclared method ${method}`, base),
        operation: `${first.app} undeclared`,
      });
    }
  }
  for (const app of new Set(operations.map((operation) => operation.app))) {
    for (const path of [
      '/',
      '//',
      '/api/v1/zz_unknown',
      '/api/v1/agents/fuzz/zz/unknown',
      '/%00',
      '/%ff%fe',
      `/${'y'.repeat(5_000)}`,
    ]) {
      out.push({
        app,
        operation: `${app} undeclared`,
        label: `unknown path ${shown(path)}`,
        method: 'GET',
        url: path,
        headers: { authorization: `Bearer ${ctx.adminKey}` },
      });
    }
  }
  return out;
}

/** Requests for every operation of every app, then for what they do not declare. */
export function casesForAll(operations: Operation[], ctx: CaseContext): FuzzRequest[] {
  return [...operations.flatMap((operation) => casesFor(operation, ctx)), ...undeclaredCases(operations, ctx)];
}
