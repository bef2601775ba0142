import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { natsTopology } from '@metaloop/contracts';
import { connectJetStream } from '@metaloop/messaging';
import { isolationId, scratchSchema, testEnv, type ScratchSchema } from '@metaloop/testing';
import { startApp } from '@metaloop/platform';

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const valid = {
  agent_id: 'fuzz_agent',
  session_id: 's',
  explicit: { rating: 4, helpful: true },
  implicit: { response_time_ms: 12 },
};

interface Case {
  url: string;
  payload: string | Buffer;
  contentType?: string;
}

/** Each generator makes a body that is wrong by construction (never accidentally valid). */
const generators: Array<(rnd: () => number) => Case> = [
  // wrong types for a required or typed field
  (rnd) => {
    const field = ['agent_id', 'session_id', 'explicit', 'implicit', 'tags', 'metrics'][Math.floor(rnd() * 6)]!;
    const value = [42, true, null, [], 'x', { a: 1 }][Math.floor(rnd() * 6)];
    const body: Record<string, unknown> = { ...valid, [field]: value };
    if ((field === 'agent_id' || field === 'session_id') && value === 'x') body[field] = 7;
    if (field === 'explicit' || field === 'implicit' || field === 'metrics') body[field] = 'not an object';
    if (field === 'tags') body[field] = { not: 'a list' };
    return { url: '/api/v1/feedback/collect', payload: JSON.stringify(body) };
  },
  // out-of-range numbers
  (rnd) => ({
    url: '/api/v1/feedback/collect',
    payload: JSON.stringify({ ...valid, explicit: { rating: rnd() < 0.5 ? -rnd() * 1e9 : 5 + 1 + rnd() * 1e9 } }),
  }),
  // huge strings, beyond the field limits or the body limit
  (rnd) => ({
    url: '/api/v1/feedback/collect',
    payload: JSON.stringify({ ...valid, explicit: { complaint: 'x'.repeat(2_001 + Math.floor(rnd() * 400_000)) } }),
  }),
  // deep nesting in free-form context
  (rnd) => {
    const depth = 9 + Math.floor(rnd() * 20_000);
    return {
      url: '/api/v1/feedback/collect',
      payload: `{"agent_id":"a","session_id":"s","context":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    };
  },
  // truncated JSON
  (rnd) => {
    const text = JSON.stringify(valid);
    return { url: '/api/v1/feedback/collect', payload: text.slice(0, Math.floor(rnd() * (text.length - 1))) };
  },
  // random bytes, including invalid UTF-8
  (rnd) => ({
    url: ['/api/v1/feedback/collect', '/api/v1/feedback/collect/bulk', '/api/v1/feedback/system/metric'][
      Math.floor(rnd() * 3)
    ]!,
    payload: Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))),
  }),
  // invalid UTF-8 inside a JSON string of an otherwise invalid body
  () => ({
    url: '/api/v1/feedback/collect',
    payload: Buffer.concat([Buffer.from('{"agent_id":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
  }),
  // wrong content types
  (rnd) => ({
    url: '/api/v1/feedback/collect',
    payload: JSON.stringify(valid),
    contentType: [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'image/png',
    ][Math.floor(rnd() * 5)],
  }),
  // empty body
  () => ({ url: '/api/v1/feedback/collect', payload: '' }),
  // JSON that is not an object
  (rnd) => ({
    url: '/api/v1/feedback/collect',
    payload: JSON.stringify([[], 1, 'a', null, true][Math.floor(rnd() * 5)]),
  }),
  // prototype pollution attempts
  () => ({ url: '/api/v1/feedback/collect', payload: '{"agent_id":"a","session_id":"s","__proto__":{"admin":true}}' }),
  // unknown fields (typos)
  (rnd) => ({
    url: '/api/v1/feedback/collect',
    payload: JSON.stringify({ ...valid, [`ratting${Math.floor(rnd() * 9)}`]: 5 }),
  }),
  // bulk envelopes that are wrong as a whole
  (rnd) => ({
    url: '/api/v1/feedback/collect/bulk',
    payload: JSON.stringify(
      [{ events: [] }, { events: 'x' }, { event: [valid] }, { events: Array.from({ length: 1_001 }, () => valid) }][
        Math.floor(rnd() * 4)
      ],
    ),
  }),
  // system metrics with wrong values
  (rnd) => ({
    url: '/api/v1/feedback/system/metric',
    payload: JSON.stringify(
      [
        { source: 'a b', name: 'n', value: 1 },
        { source: 'gw', name: 'n', value: 'high' },
        { source: 'gw', value: 1 },
      ][Math.floor(rnd() * 3)],
    ),
  }),
];

describe('feedback-api fuzzed with malformed bodies', () => {
  let schema: ScratchSchema;
  let app: NestFastifyApplication;
  const prefix = isolationId('fuzz');

  beforeAll(async () => {
    schema = await scratchSchema('fuzz');
    app = await startApp(() => import('../app.definition.js').then((m) => m.feedbackApi), {
      DATABASE_URL: schema.url,
      NATS_URL: testEnv.TEST_NATS_URL,
      NATS_PREFIX: prefix,
      REDIS_URL: testEnv.TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
    });
  });

  afterAll(async () => {
    await app?.close();
    const nats = await connectJetStream({ servers: testEnv.TEST_NATS_URL, name: 'fuzz-cleanup', prefix });
    for (const stream of Object.values(natsTopology({ prefix }).streams))
      await nats.jsm.streams.delete(stream.name).catch(() => undefined);
    await nats.nc.close();
    await schema?.drop();
  });

  const post = (url: string, body: unknown) =>
    app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const paths = (errors: Array<{ path: string }>) => errors.map((error) => error.path);

  describe('refuses text Postgres cannot store (NUL, an unpaired surrogate) with a 400 naming the field', () => {
    const NUL = 'a\u0000b';
    const LONE = 'x\uD800';
    const unstorable: Array<[string, Record<string, unknown>]> = [
      ['explicit.comment', { explicit: { comment: NUL } }],
      ['context.k', { context: { k: `v${NUL}` } }],
      ['context.nested.list.1.deep', { context: { nested: { list: [1, { deep: LONE }] } } }],
      [`context.${LONE}`, { context: { [LONE]: 1 } }],
      ['explicit.selection.pick', { explicit: { selection: { pick: NUL } } }],
      ['tags.0', { tags: [LONE] }],
      ['session_id', { session_id: NUL }],
      ['event_id', { event_id: LONE }],
      ['artifacts.input', { artifacts: { input: NUL } }],
    ];

    it.each(unstorable)('collect: %s', async (path, fields) => {
      const response = await post('/api/v1/feedback/collect', { ...valid, ...fields });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(paths(response.json().errors)).toEqual([path]);
    });

    it('collect/bulk: each poisoned event is rejected naming its field, the clean ones accepted', async () => {
      const events = [valid, ...unstorable.map(([, fields]) => ({ ...valid, ...fields })), valid];
      const response = await post('/api/v1/feedback/collect/bulk', { events });
      expect(response.statusCode).toBe(202);
      const body = response.json();
      expect({ accepted: body.accepted, rejected: body.rejected }).toEqual({
        accepted: 2,
        rejected: unstorable.length,
      });
      expect(body.results.slice(1, -1).map((r: { errors: Array<{ path: string }> }) => paths(r.errors))).toEqual(
        unstorable.map(([path]) => [path]),
      );
    });

    it.each([
      ['unit', { unit: NUL }],
      ['labels.region', { labels: { region: LONE } }],
    ])('system/metric: %s', async (path, fields) => {
      const response = await post('/api/v1/feedback/system/metric', { source: 'gw', name: 'n', value: 1, ...fields });
      expect(response.statusCode).toBe(400);
      expect(paths(response.json().errors)).toEqual([path]);
    });
  });

  it('answers 3,000 malformed bodies with a 4xx problem, never a 5xx, and keeps serving', async () => {
    const seed = 20261125;
    const rnd = prng(seed);
    const failures: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const generator = Math.floor(rnd() * generators.length);
      const { url, payload, contentType } = generators[generator]!(rnd);
      const response = await app.inject({
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': contentType ?? 'application/json' },
      });
      const isProblem = /^application\/problem\+json/.test(String(response.headers['content-type']));
      if (response.statusCode < 400 || response.statusCode >= 500 || !isProblem) {
        failures.push(
          `case ${i} (generator ${generator}, seed ${seed}): ${response.statusCode} ${response.body.slice(0, 200)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    const healthy = await app.inject({
      method: 'POST',
      url: '/api/v1/feedback/collect',
      payload: JSON.stringify(valid),
      headers: { 'content-type': 'application/json' },
    });
    expect(healthy.statusCode).toBe(202);
  });
});
