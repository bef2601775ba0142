import { createHash } from 'node:crypto';
import type { Operation } from './openapi';
import { BAD_PATH_VALUES, BAD_QUERY_VALUES, casesFor, encodeText, shown, type CaseContext } from './openapi-cases';
import { createRng } from './prng';
import { exampleOf } from './schema-values';
import { defectOf } from './verdict';

const operation: Operation = {
  app: 'oracle-api',
  method: 'POST',
  path: '/api/v1/agents/{agent_id}/candidates',
  parameters: [
    { name: 'agent_id', in: 'path', required: true, schema: { type: 'string' } },
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
  ],
  body: {
    required: true,
    contentTypes: ['application/json'],
    schema: {
      type: 'object',
      properties: {
        version: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:/@-]+$' },
        type: { type: 'string', enum: ['prompt', 'model'] },
        weight: { type: 'integer', minimum: 3 },
        context: { type: 'object', additionalProperties: {} },
      },
      required: ['version', 'type'],
    },
  },
  secured: true,
};

const context = (seed = 7): CaseContext => ({
  adminKey: 'mlk_aaaaaaaa_key',
  ids: { agent_id: ['real_agent'] },
  rng: createRng(seed),
  fieldLimit: 10,
  randomCases: 20,
  oversizeBytes: 2_000,
});

const jsonOf = (body: Buffer | undefined) => JSON.parse(body!.toString('utf8')) as Record<string, unknown>;

describe('casesFor: an OpenAPI operation as bad requests', () => {
  const cases = casesFor(operation, context());
  const byLabel = (label: string) => {
    const found = cases.find((c) => c.label === label);
    if (!found) throw new Error(`no case "${label}" among ${cases.map((c) => c.label).join(' | ')}`);
    return found;
  };

  it('starts from a valid baseline: the real id, the admin key, a body with the required fields', () => {
    const baseline = byLabel('baseline');
    expect(baseline.url).toBe('/api/v1/agents/real_agent/candidates');
    expect(baseline.headers).toEqual({ authorization: 'Bearer mlk_aaaaaaaa_key', 'content-type': 'application/json' });
    expect(jsonOf(baseline.body)).toEqual({ version: 'fuzz_1', type: 'prompt' });
  });

  it('tries every bad value in every path and query parameter, sent percent-encoded as made', () => {
    for (const value of BAD_PATH_VALUES) {
      expect(byLabel(`path agent_id=${shown(value)}`).url).toBe(`/api/v1/agents/${value}/candidates`);
    }
    for (const value of BAD_QUERY_VALUES) {
      expect(byLabel(`query limit=${shown(value)}`).url).toBe(`/api/v1/agents/real_agent/candidates?limit=${value}`);
    }
    expect(byLabel('query limit twice').url).toMatch(/\?limit=1&limit=2$/);
  });

  it('asks without a key and with wrong ones', () => {
    expect(byLabel('auth: no key').headers['authorization']).toBeUndefined();
    expect(byLabel('auth: unknown key').headers['authorization']).toMatch(/^Bearer mlk_zzzzzzzz_/);
    expect(cases.filter((c) => c.headers['authorization'] === 'Bearer mlk_aaaaaaaa_key').length).toBeGreaterThan(
      cases.length - 10,
    );
  });

  it('breaks each body field: missing, wrong type, NUL, lone surrogate, too long, edge numbers, not UTF-8, too deep', () => {
    expect(jsonOf(byLabel('body.version: missing').body)).toEqual({ type: 'prompt' });
    expect(jsonOf(byLabel('body.version: wrong type').body)['version']).toBe(12345);
    expect(jsonOf(byLabel('body.version: NUL').body)['version']).toBe('a\u0000b');
    expect(byLabel('body.version: lone surrogate').body!.toString()).toContain('"x\\ud800y"');
    expect(jsonOf(byLabel('body.version: one over maxLength').body)['version']).toHaveLength(129);
    expect(jsonOf(byLabel('body.weight: beyond int64').body)['weight']).toBe(2 ** 64);
    expect(jsonOf(byLabel('body.weight: null').body)['weight']).toBeNull();
    expect(Object.keys(jsonOf(byLabel('body.context: extra field').body)['context'] as object)).toContain('__proto__');
    const bytes = byLabel('body.version: not UTF-8').body!;
    expect(bytes.includes(0xff)).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    let depth = 0;
    let value: unknown = jsonOf(byLabel('body.type: nested 5,000 deep').body)['type'];
    while (typeof value === 'object' && value !== null) {
      value = Array.isArray(value) ? value[0] : (value as { a: unknown }).a;
      depth++;
    }
    expect(depth).toBe(5_000);
  });

  it('sends values the contract accepts at its edges, with the real ids and with fresh ones', () => {
    expect(jsonOf(byLabel('body.version: at maxLength').body)).toEqual({ version: 'a'.repeat(128), type: 'prompt' });
    expect(jsonOf(byLabel('body.weight: past int4').body)['weight']).toBe(2_147_483_648);
    expect(jsonOf(byLabel('body.weight: at minimum').body)['weight']).toBe(3);
    const fresh = jsonOf(byLabel('body.weight: past int4, fresh ids').body);
    expect(fresh['version']).toMatch(/^fuzz_1_\w+$/);
    expect(jsonOf(byLabel('body.weight: at minimum, fresh ids').body)['version']).not.toBe(fresh['version']);
    expect(byLabel('query limit: at maximum').url).toMatch(/\?limit=200$/);
  });

  it('sends the whole body wrong: none, empty, not JSON, too big, wrong or missing content type', () => {
    expect(byLabel('body: none').body).toBeUndefined();
    expect(byLabel('body: empty').body).toEqual(Buffer.alloc(0));
    expect(byLabel('body: empty, no content type').headers['content-type']).toBeUndefined();
    expect(byLabel('body: beyond the body limit').body!.length).toBe(2_000);
    expect(byLabel('body: content type text/plain').headers['content-type']).toBe('text/plain');
    expect(() => jsonOf(byLabel('body: not JSON').body)).toThrow();
    const short = byLabel('body: shorter than its content-length');
    expect(short.contentLength).toBe(short.body!.length + 100);
  });

  it('draws the same requests from the same seed and other random ones from another', () => {
    const digest = (list: typeof cases) =>
      list.map((c) =>
        createHash('sha256')
          .update(`${c.label}\n${c.method} ${c.url}\n${JSON.stringify(c.headers)}\n`)
          .update(c.body ?? '')
          .digest('hex'),
      );
    const random = (list: typeof cases) => list.filter((c) => c.label.startsWith('random'));
    const structured = (list: typeof cases) => list.filter((c) => !c.label.startsWith('random'));
    expect(digest(casesFor(operation, context()))).toEqual(digest(cases));
    const other = casesFor(operation, context(8));
    expect(random(cases)).toHaveLength(20);
    expect(digest(random(other))).not.toEqual(digest(random(cases)));
    expect(digest(structured(other))).toEqual(digest(structured(cases)));
  });
});

describe('the pieces of a case', () => {
  it('percent-encodes lone surrogates as the bytes UTF-8 would give them (not valid UTF-8)', () => {
    expect(encodeText('a\u0000\ud800b')).toBe('a%00%ed%a0%80b');
    expect(encodeText('é😀')).toBe('%C3%A9%F0%9F%98%80');
  });

  it('makes examples that satisfy enum, pattern, length and bounds', () => {
    expect(exampleOf({ type: 'string', pattern: '^[0-9]+$' })).toBe('1');
    expect(exampleOf({ type: 'string', minLength: 8, pattern: '^[a-z_0-9]+$' })).toBe('fuzz_1aa');
    expect(exampleOf({ type: 'integer', minimum: 3, maximum: 9 })).toBe(3);
    expect(exampleOf({ anyOf: [{ type: 'null' }, { type: 'boolean' }] })).toBe(true);
    expect(exampleOf({ type: 'string', format: 'date-time' })).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('defectOf: what fails the fuzz', () => {
  const problem = (status: number, body: object, contentType = 'application/problem+json; charset=utf-8') => ({
    response: { status, contentType, body: Buffer.from(JSON.stringify(body)) },
  });
  it.each([
    ['a 500', problem(500, { type: 'about:blank', title: 'x', status: 500 }), /^500/],
    ['a 503', problem(503, { type: 'about:blank', title: 'x', status: 503 }), /^503/],
    [
      'a 4xx as plain JSON',
      problem(400, { type: 'a', title: 'b', status: 400 }, 'application/json'),
      /not application\/problem\+json/,
    ],
    [
      'a 4xx without a content type',
      { response: { status: 404, contentType: undefined, body: Buffer.alloc(0) } },
      /\(none\)/,
    ],
    ['a problem without a title', problem(400, { type: 'a', status: 400 }), /without title/],
    ['a problem whose status differs', problem(404, { type: 'a', title: 'b', status: 400 }), /without status/],
    ['no answer in time', { hang: true as const }, /hang/],
    ['a closed connection', { dropped: 'ECONNRESET' }, /connection closed/],
  ])('fails on %s', (_, outcome, reason) => {
    expect(defectOf(outcome)).toMatch(reason);
  });

  it.each([
    ['a 4xx problem', problem(422, { type: 'urn:x', title: 'Unprocessable', status: 422 })],
    ['a 200', { response: { status: 200, contentType: 'application/json', body: Buffer.from('{}') } }],
    ['a 304', { response: { status: 304, contentType: undefined, body: Buffer.alloc(0) } }],
  ])('passes %s', (_, outcome) => {
    expect(defectOf(outcome)).toBeUndefined();
  });
});
