import { connectJetStream } from '@metaloop/messaging';
import { natsTopology } from '@metaloop/contracts';
import { spawnApp, freePort, testEnv, withClient } from '@metaloop/testing';
import { APPS, startMesh, type Mesh, type ReadinessBody } from './mesh';

describe('the mesh as three processes', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    mesh = await startMesh('smoke');
  });

  afterAll(async () => {
    await mesh?.stop();
    const ctx = await connectJetStream({
      servers: testEnv.TEST_NATS_URL,
      name: 'smoke-cleanup',
      prefix: mesh.schema.schema,
    });
    for (const stream of Object.values(natsTopology({ prefix: mesh.schema.schema }).streams)) {
      await ctx.jsm.streams.delete(stream.name).catch(() => undefined);
    }
    await ctx.nc.close();
  });

  it('brings all three apps to ready, migrating one fresh schema concurrently', async () => {
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    const applied = await withClient((client) =>
      client.query(`SELECT migration_name FROM "${mesh.schema.schema}"."_prisma_migrations"`),
    );
    const names = applied.rows.map((row: { migration_name: string }) => row.migration_name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThan(0);
  });

  it.each(APPS)('%s reports its real dependencies in readiness', async (name) => {
    const report = (await (await fetch(`${mesh.apps[name].url}/health/ready`)).json()) as ReadinessBody;
    const expected = ['nats', 'postgres', 'redis'];
    expect(Object.keys(report.checks).sort()).toEqual(expected);
  });

  it.each(APPS)('%s serves Prometheus metrics and OpenAPI docs', async (name) => {
    const { url } = mesh.apps[name];
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`process_resident_memory_bytes{app="${name}"}`);
    expect(metrics).toMatch(
      new RegExp(
        `http_request_duration_seconds_count\\{app="${name}",method="GET",route="/health/ready",status_code="200"\\}`,
      ),
    );
    const docs = await fetch(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const spec = (await (await fetch(`${url}/docs/json`)).json()) as {
      info: { title: string };
      paths: Record<string, unknown>;
    };
    expect(spec.info.title).toBe(`metaloop ${name}`);
    expect(spec.paths['/health/ready']).toBeDefined();
    // The public text speaks of the product, not of the design documents it came from.
    expect(proseOf(spec).filter((text) => /\bseed\s*\d|\bseed['’]s\b/i.test(text))).toEqual([]);
  });

  it('answers bad requests with problem+json and a request id', async () => {
    const response = await fetch(`${mesh.apps['oracle-api'].url}/nowhere`, { headers: { 'x-request-id': 'smoke-1' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 404, request_id: 'smoke-1' });
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    const codes = await Promise.all(APPS.map((name) => mesh.apps[name].stop('SIGTERM')));
    expect(codes).toEqual([0, 0, 0]);
  });
});

describe('a bad environment', () => {
  it('stops startup with a message naming the variable', async () => {
    const app = spawnApp(
      'oracle-api',
      { DATABASE_URL: 'mysql://nope', NATS_URL: testEnv.TEST_NATS_URL, REDIS_URL: testEnv.TEST_REDIS_URL },
      await freePort(),
    );
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(
      /oracle-api cannot start\. Invalid environment:\n {2}- DATABASE_URL: expected a postgres:\/\//,
    );
  });

  it('stops startup when Postgres is unreachable, saying so', async () => {
    const app = spawnApp(
      'feedback-api',
      {
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/x',
        NATS_URL: testEnv.TEST_NATS_URL,
        REDIS_URL: testEnv.TEST_REDIS_URL,
      },
      await freePort(),
    );
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('Postgres is unreachable');
  });
});

/** Every title, summary and description in an OpenAPI document, however deep. */
function proseOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(proseOf);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    typeof value === 'string' ? (['title', 'summary', 'description'].includes(key) ? [value] : []) : proseOf(value),
  );
}
