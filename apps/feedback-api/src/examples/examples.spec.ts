import { EXAMPLES_CHANGED } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { exampleContentHash, HashedNgramEmbedder } from '@metaloop/examples';
import { NatsEventsClient } from '@metaloop/messaging';
import { eventually, withClient } from '@metaloop/testing';
import { lastValueFrom } from 'rxjs';
import { baselineConfig, configHarness, type ConfigHarness } from '../__tests__/config-harness';
import { ExampleStore } from './example-store';

const embedder = new HashedNgramEmbedder();

const STORE = [
  ['How do I reset my password?', 'Open Settings → Security → Reset password and follow the email link.'],
  ['What does shipping to Canada cost?', 'Shipping to Canada is 12 USD, free above 100 USD.'],
  ['Can I get a refund after 20 days?', 'Yes: refunds are accepted within 30 days of delivery.'],
] as const;

describe('examples (DICL) on feedback-api: search and the config fetch with a query', () => {
  let h: ConfigHarness;

  beforeAll(async () => {
    h = await configHarness('examples_retrieval', {}, 1);
  });
  afterAll(() => h?.dispose());

  const app = () => h.replicas[0]!;
  const sql = (text: string, params: unknown[] = []) =>
    withClient(async (client) => {
      await client.query(`SET search_path TO "${h.schema.schema}"`);
      return (await client.query(text, params)).rows as Array<Record<string, unknown>>;
    });

  /** Writes an example row the way oracle-api's example store does (tests may; production code may not). */
  const storeExample = async (agentId: string, input: string, output: string, quality = 1) => {
    const id = uuidv7();
    await sql(
      `INSERT INTO examples (id, agent_id, event_id, session_id, source, input, output, quality, content_hash, embedding, embedder, updated_at)
       VALUES ($1, $2, $3, 's', 'feedback', $4, $5, $6, $7, $8::real[], $9, now())`,
      [
        id,
        agentId,
        `evt-${id}`,
        input,
        output,
        quality,
        exampleContentHash(input, output),
        `{${Array.from(embedder.embedOne(input)).join(',')}}`,
        embedder.name,
      ],
    );
    return id;
  };
  const announce = (agentId: string, removed = false) =>
    lastValueFrom(app().get(NatsEventsClient).emit(EXAMPLES_CHANGED, { agent_id: agentId, removed }), {
      defaultValue: undefined,
    });
  const search = (agentId: string, body: unknown) =>
    app().inject({ method: 'POST', url: `/api/v1/agents/${agentId}/examples/search`, payload: body as object });

  it('finds the stored example closest to the query by shared words and word pieces', async () => {
    await h.createAgent('searcher');
    for (const [input, output] of STORE) await storeExample('searcher', input, output);
    const response = await search('searcher', { query: 'I forgot my password, how can I reset it?', k: 2 });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ examples: Array<Record<string, unknown>>; embedder: string }>();
    expect(body.embedder).toBe('hashed-ngram-v1-512');
    expect(body.examples).toHaveLength(2);
    expect(body.examples[0]).toMatchObject({ input: STORE[0][0], output: STORE[0][1], quality: 1 });
    expect(body.examples[0]!['similarity']).toBeGreaterThan(body.examples[1]!['similarity'] as number);
    const strict = await search('searcher', { query: 'refund after 20 days', min_similarity: 0.5 });
    expect(strict.json<{ examples: Array<{ input: string }> }>().examples.map((e) => e.input)).toEqual([STORE[2][0]]);
  });

  it('documents the search route, the query and the POST twin in the OpenAPI document', async () => {
    const doc = (await app().inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(doc.paths['/api/v1/agents/{agent_id}/examples/search']).toHaveProperty('post');
    const config = doc.paths['/api/v1/agents/{agent_id}/config']!;
    expect(Object.keys(config).sort()).toEqual(['get', 'post']);
    expect(JSON.stringify(config['get'])).toContain('"query"');
    expect(JSON.stringify(config['get'])).toContain('examples_retrieved');
  });

  it('answers 404 for an unknown agent and 400 naming the field for a bad body', async () => {
    expect((await search('nobody-here', { query: 'x' })).statusCode).toBe(404);
    const bad = await search('searcher', { k: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(bad.body).toMatch(/query/);
    expect(bad.body).toMatch(/k/);
  });

  it("answers 503 (retry shortly) when the agent's examples cannot be read, without the cause's text", async () => {
    await h.createAgent('unreadable');
    await eventually(async () => expect((await h.getConfig(app(), 'unreadable', 's')).statusCode).toBe(200));
    const store = app().get(ExampleStore) as unknown as { load: () => Promise<void> };
    jest.spyOn(store, 'load').mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.9.9.9:5432'));
    const failed = await search('unreadable', { query: 'password reset' });
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(failed.headers['content-type']).toMatch(/problem\+json/);
    expect(failed.body).not.toMatch(/10\.9\.9\.9|ECONNREFUSED/);
    // The next search loads again.
    expect((await search('unreadable', { query: 'password reset' })).statusCode).toBe(200);
  });

  it('refreshes on examples.changed: a new example is found, a demoted one no longer', async () => {
    await storeExample('searcher', 'How do I change my email address?', 'Settings → Account → Email.');
    await announce('searcher');
    await eventually(async () => {
      const hits = (await search('searcher', { query: 'change my email address', k: 1 })).json<{
        examples: Array<{ input: string }>;
      }>().examples;
      expect(hits.map((e) => e.input)).toEqual(['How do I change my email address?']);
    });
    await sql(
      `UPDATE examples SET demoted_at = now(), updated_at = now() WHERE agent_id = 'searcher' AND input LIKE 'How do I change%'`,
    );
    await announce('searcher');
    await eventually(async () => {
      const hits = (await search('searcher', { query: 'change my email address', k: 4, min_similarity: 0.3 })).json<{
        examples: Array<{ input: string }>;
      }>().examples;
      expect(hits.map((e) => e.input)).not.toContain('How do I change my email address?');
    });
  });

  it('drops a deleted example (a subject erased in oracle-api) on examples.changed with removed', async () => {
    await h.createAgent('erasing');
    await storeExample('erasing', 'How do I export my invoices?', 'Billing → Invoices → Export.');
    await storeExample('erasing', 'How do I close my account?', 'Settings → Account → Close account.');
    const found = async (query: string) =>
      (await search('erasing', { query, k: 4 }))
        .json<{ examples: Array<{ input: string }> }>()
        .examples.map((e) => e.input);
    expect(await found('export my invoices')).toContain('How do I export my invoices?');
    await sql(`DELETE FROM examples WHERE agent_id = 'erasing' AND input LIKE 'How do I export%'`);
    await announce('erasing', true);
    await eventually(async () =>
      expect(await found('export my invoices')).not.toContain('How do I export my invoices?'),
    );
    expect(await found('close my account')).toContain('How do I close my account?');
  });

  it('leaves the config fetch as it was without dynamic_examples, query or not (body and ETag)', async () => {
    await h.createAgent('static-agent');
    for (const [input, output] of STORE) await storeExample('static-agent', input, output);
    const plain = await h.getConfig(app(), 'static-agent', 'u1');
    const withQuery = await app().inject({
      method: 'GET',
      url: '/api/v1/agents/static-agent/config?session_id=u1&query=reset%20my%20password',
    });
    expect(withQuery.statusCode).toBe(200);
    expect(withQuery.body).toBe(plain.body);
    expect(withQuery.headers.etag).toBe(plain.headers.etag);
    expect(withQuery.json()).not.toHaveProperty('examples_retrieved');
  });

  it('adds the most similar examples when the revision has dynamic_examples, within max_chars, with an ETag of its own', async () => {
    await h.agents.createAgent(
      {
        agent_id: 'dicl-agent',
        environment: 'prod',
        config: { ...baselineConfig, dynamic_examples: { k: 2, min_similarity: 0.2, max_chars: 200 } },
      },
      'spec',
    );
    for (const [input, output] of STORE) await storeExample('dicl-agent', input, output);
    await storeExample('dicl-agent', 'password reset link expired', 'x'.repeat(300));
    const url = '/api/v1/agents/dicl-agent/config?session_id=u1';
    const plain = await app().inject({ method: 'GET', url });
    expect(plain.json()).not.toHaveProperty('examples_retrieved');
    const query = 'how do I reset my password';
    const fetched = await app().inject({ method: 'GET', url: `${url}&query=${encodeURIComponent(query)}` });
    expect(fetched.statusCode).toBe(200);
    const body = fetched.json<{ config: unknown; examples_retrieved: Array<{ input: string }> }>();
    expect(body.config).toEqual(plain.json<{ config: unknown }>().config);
    // The expired-link example is similar but its 300-character answer does not fit in max_chars 200.
    expect(body.examples_retrieved.map((e) => e.input)).toEqual([STORE[0][0]]);
    expect(fetched.headers.etag).not.toBe(plain.headers.etag);

    const again = (etag: string) =>
      app().inject({
        method: 'GET',
        url: `${url}&query=${encodeURIComponent(query)}`,
        headers: { 'if-none-match': etag },
      });
    expect((await again(fetched.headers.etag as string)).statusCode).toBe(304);
    expect((await again(plain.headers.etag as string)).statusCode).toBe(200);

    const posted = await app().inject({
      method: 'POST',
      url: '/api/v1/agents/dicl-agent/config',
      payload: { session_id: 'u1', query },
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toBe(fetched.body);
    // Each fetch with a query counted what it brought: one example each.
    const metrics = (await app().inject({ method: 'GET', url: '/metrics' })).body;
    const count = Number(/^metaloop_examples_retrieved_per_fetch_count(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
    const sum = Number(/^metaloop_examples_retrieved_per_fetch_sum(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
    expect(count).toBeGreaterThanOrEqual(4);
    expect(sum).toBe(count);
    expect(
      (await app().inject({ method: 'POST', url: '/api/v1/agents/dicl-agent/config', payload: { query } })).statusCode,
    ).toBe(400);
  });
});
