import type { Msg } from '@nats-io/transport-node';
import { eventually } from '@metaloop/testing';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

describe('metric definitions over REST', () => {
  let h: OracleHarness;
  const changed: unknown[] = [];

  beforeAll(async () => {
    h = await oracleHarness('metric_defs');
    h.nats.nc.subscribe(h.nats.topology.subjects.metricsChanged, {
      callback: (_error, msg: Msg) => void changed.push(msg.json()),
    });
    await h.nats.nc.flush();
  });

  afterAll(() => h?.dispose());

  const post = (payload: unknown) =>
    h.apps[0]!.inject({ method: 'POST', url: '/api/v1/metrics', payload: payload as object });
  const body = {
    name: 'task_success',
    type: 'boolean',
    level: 'episode',
    optimize: 'max',
    description: 'the user said it worked',
  };

  it('creates a definition (201) and announces it on metrics.changed', async () => {
    const response = await post(body);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ ...body, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    await eventually(() => expect(changed).toEqual([{ name: 'task_success' }]));
    const [row] = await h.query(
      `SELECT name, type::text, level::text, optimize::text, description FROM metric_definitions`,
    );
    expect(row).toEqual({
      name: 'task_success',
      type: 'boolean',
      level: 'episode',
      optimize: 'max',
      description: 'the user said it worked',
    });
  });

  it('refuses a duplicate name with a 409 problem and announces nothing', async () => {
    const response = await post({ ...body, type: 'float' });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 409, detail: 'metric "task_success" is already defined' });
    await h.nats.nc.flush();
    expect(changed).toHaveLength(1);
  });

  it.each([
    ['a missing name', { type: 'float', level: 'inference', optimize: 'min' }, 'name'],
    ['a name that is no metric name', { ...body, name: 'has space' }, 'name'],
    ['an unknown type', { ...body, name: 'x', type: 'int' }, 'type'],
    ['an unknown level', { ...body, name: 'x', level: 'session' }, 'level'],
    ['an unknown direction', { ...body, name: 'x', optimize: 'up' }, 'optimize'],
    ['an unknown field', { ...body, name: 'x', unit: 'ms' }, ''],
  ])('answers %s with a 400 problem naming the field', async (_case, payload, path) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual([path]);
  });

  it('lists definitions by name, without description when none was given', async () => {
    expect((await post({ name: 'latency_ms', type: 'float', level: 'inference', optimize: 'min' })).statusCode).toBe(
      201,
    );
    const response = await h.apps[0]!.inject({ method: 'GET', url: '/api/v1/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      {
        name: 'latency_ms',
        type: 'float',
        level: 'inference',
        optimize: 'min',
        description: null,
        created_at: expect.any(String),
      },
      expect.objectContaining({ name: 'task_success' }),
    ]);
  });

  it('shows the schemas in the OpenAPI document', async () => {
    const spec = (await h.apps[0]!.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/metrics', '/api/v1/oracle/dlq', '/api/v1/oracle/dlq/replay']),
    );
    expect(JSON.stringify(spec.paths['/api/v1/metrics'].post)).toContain('optimize');
  });
});
