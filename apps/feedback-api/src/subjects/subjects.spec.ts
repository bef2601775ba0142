import { SUBJECT_MEMORY_CHANGED, type SubjectContext } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { NatsEventsClient } from '@metaloop/messaging';
import { eventually, withClient } from '@metaloop/testing';
import { lastValueFrom } from 'rxjs';
import { configHarness, type ConfigHarness } from '../__tests__/config-harness';
import { SubjectMemoryStore } from './subject-memory.store';

describe('per-subject memory on feedback-api: the memory route and the config fetch with subject_id (real Postgres)', () => {
  let h: ConfigHarness;

  beforeAll(async () => {
    h = await configHarness('subject_memory_serving', {}, 1);
    await h.createAgent('helper');
  });
  afterAll(() => h?.dispose());

  const app = () => h.replicas[0]!;
  const sql = (text: string, params: unknown[] = []) =>
    withClient(async (client) => {
      await client.query(`SET search_path TO "${h.schema.schema}"`);
      return (await client.query(text, params)).rows as Array<Record<string, unknown>>;
    });
  /** Writes a memory item the way oracle-api's loop/memory does (tests may; production code may not). */
  const remember = (subject: string, kind: string, text: string, weight = 1, minutesAgo = 0) =>
    sql(
      `INSERT INTO subject_memory_items (id, subject_id, agent_id, kind, text, key, weight, confidence, tags, event_id, updated_at)
       VALUES ($1, $2, 'helper', $3, $4, $5, $6, 0.8, $7, 'e', now() - make_interval(mins => $8))`,
      [
        uuidv7(),
        subject,
        kind,
        text,
        `${text}-${uuidv7()}`,
        weight,
        kind === 'HISTORY' ? ['interaction'] : ['learned', 'selection_derived'],
        minutesAgo,
      ],
    );
  const get = (url: string) => app().inject({ method: 'GET', url });

  it('serves what is kept: goals and preferences by importance, history newest first, facets', async () => {
    await remember('u1', 'GOAL', 'build a REST API', 1);
    await remember('u1', 'GOAL', 'containerize with Docker', 3);
    await remember('u1', 'PREFERENCE', 'Prefers: Docker');
    await remember('u1', 'HISTORY', 'User requested: build api | Selected: Do you want to build a REST API?', 1, 2);
    await remember(
      'u1',
      'HISTORY',
      'User requested: deploy api | Selected: Do you want to containerize with Docker?',
      1,
      1,
    );
    await sql(
      `INSERT INTO subject_facets (subject_id, name, value, updated_at) VALUES ('u1', 'concise', 0.5, now()), ('u1', 'step_by_step', 0.52, now())`,
    );
    const response = await get('/api/v1/subjects/u1/memory');
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      subject_id: string;
      items: Array<Record<string, unknown>>;
      facets: object;
      updated_at: string;
    }>();
    expect(body.subject_id).toBe('u1');
    expect(body.items.map((i) => [i['kind'], i['text']])).toEqual([
      ['GOAL', 'containerize with Docker'],
      ['GOAL', 'build a REST API'],
      ['PREFERENCE', 'Prefers: Docker'],
      ['HISTORY', 'User requested: deploy api | Selected: Do you want to containerize with Docker?'],
      ['HISTORY', 'User requested: build api | Selected: Do you want to build a REST API?'],
    ]);
    expect(body.items[0]).toMatchObject({
      weight: 3,
      confidence: 0.8,
      tags: ['learned', 'selection_derived'],
      agent_id: 'helper',
    });
    expect(body.facets).toEqual({ concise: 0.5, step_by_step: 0.52 });
    expect(Date.parse(body.updated_at)).toBeGreaterThan(0);
  });

  it('a subject nothing is known about: 200, empty', async () => {
    const response = await get('/api/v1/subjects/stranger/memory');
    expect(response.json()).toEqual({ subject_id: 'stranger', items: [], facets: {}, updated_at: null });
  });

  it('the config fetch with subject_id carries subject_context (GET and POST), with its own ETag; without it the body is untouched', async () => {
    const plain = await h.getConfig(app(), 'helper', 's1');
    const withSubject = await get('/api/v1/agents/helper/config?session_id=s1&subject_id=u1');
    expect(withSubject.statusCode).toBe(200);
    const context = withSubject.json<{ subject_context: Record<string, unknown> }>().subject_context;
    expect(context).toMatchObject({
      subject_id: 'u1',
      goals: [{ text: 'containerize with Docker', weight: 3, confidence: 0.8 }, { text: 'build a REST API' }],
      preferences: [{ text: 'Prefers: Docker' }],
      facets: { concise: 0.5, step_by_step: 0.52 },
      context_breakdown: { budget: 400 },
    });
    expect((context['history'] as unknown[]).length).toBe(2);
    expect(withSubject.headers.etag).not.toBe(plain.headers.etag);
    const posted = await app().inject({
      method: 'POST',
      url: '/api/v1/agents/helper/config',
      payload: { session_id: 's1', subject_id: 'u1' },
    });
    expect(posted.json()).toEqual(withSubject.json());
    const again = await h.getConfig(app(), 'helper', 's1');
    expect(again.body).toBe(plain.body);
    expect(again.json()).not.toHaveProperty('subject_context');
    // Cached: a change oracle-api did not announce is not served yet; subject.memory.changed drops the cached context.
    await remember('u1', 'PREFERENCE', 'Prefers: FastAPI', 5);
    const cached = await get('/api/v1/agents/helper/config?session_id=s1&subject_id=u1');
    expect(cached.headers.etag).toBe(withSubject.headers.etag);
    await lastValueFrom(
      app()
        .get(NatsEventsClient)
        .emit(SUBJECT_MEMORY_CHANGED, { subject_ids: ['u1'] }),
      {
        defaultValue: undefined,
      },
    );
    const next = await eventually(async () => {
      const answer = await get('/api/v1/agents/helper/config?session_id=s1&subject_id=u1');
      expect(
        answer.json<{ subject_context: { preferences: Array<{ text: string }> } }>().subject_context.preferences[0]!
          .text,
      ).toBe('Prefers: FastAPI');
      return answer;
    });
    expect(next.headers.etag).not.toBe(withSubject.headers.etag);
  });

  it('shares one read among concurrent fetches, and keeps no read that an invalidation overtook', async () => {
    const store = app().get(SubjectMemoryStore) as unknown as {
      readContext(id: string): Promise<SubjectContext>;
      context(id: string): SubjectContext | Promise<SubjectContext>;
      onChanged(message: { subject_ids: string[] }): void;
    };
    const fresh = await store.readContext('racer');
    let release!: (context: SubjectContext) => void;
    const read = jest
      .spyOn(store, 'readContext')
      .mockImplementationOnce(() => new Promise<SubjectContext>((resolve) => (release = resolve)));
    const first = store.context('racer');
    const second = store.context('racer');
    store.onChanged({ subject_ids: ['racer'] });
    release(fresh);
    await expect(first).resolves.toBe(fresh);
    await expect(second).resolves.toBe(fresh);
    expect(read).toHaveBeenCalledTimes(1);
    // Not cached: the next fetch reads again, and that read is kept.
    await store.context('racer');
    expect(read).toHaveBeenCalledTimes(2);
    expect(store.context('racer')).not.toBeInstanceOf(Promise);
    read.mockRestore();
  });

  it('bad subject ids are 400 naming the field; the routes are in the OpenAPI document', async () => {
    const bad = await get(`/api/v1/agents/helper/config?session_id=s1&subject_id=${'x'.repeat(200)}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/subject_id/);
    const doc = (await get('/docs/json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(doc.paths['/api/v1/subjects/{subject_id}/memory']).toHaveProperty('get');
    expect(JSON.stringify(doc.paths['/api/v1/agents/{agent_id}/config']!['get'])).toContain('subject_context');
  });
});
