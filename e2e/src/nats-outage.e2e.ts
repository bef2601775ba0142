import { eventually, startNatsServer, type TestNatsServer } from '@metaloop/testing';
import { APPS, startMesh, type Mesh, type ReadinessBody } from './mesh';

describe('a NATS outage', () => {
  let nats: TestNatsServer;
  let mesh: Mesh;

  beforeAll(async () => {
    nats = await startNatsServer();
    mesh = await startMesh('nats_outage', { NATS_URL: nats.url });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
  });

  afterAll(async () => {
    await mesh?.stop();
    await nats?.dispose();
  });

  async function readiness(name: (typeof APPS)[number]) {
    const response = await fetch(`${mesh.apps[name].url}/health/ready`);
    return { status: response.status, body: (await response.json()) as ReadinessBody };
  }

  it('makes every app not ready with the reason, without crashing, and they recover by themselves', async () => {
    await nats.kill();
    for (const name of APPS) {
      const down = await eventually(async () => {
        const result = await readiness(name);
        if (result.status !== 503) throw new Error(`${name} still ready`);
        return result;
      }, 15_000);
      expect(down.body.checks.nats).toMatchObject({
        status: 'down',
        reason: expect.stringMatching(/NATS is unavailable/),
      });
      expect(down.body.checks.postgres.status).toBe('up');
      expect(mesh.apps[name].child.exitCode).toBeNull();
    }

    await nats.start();
    for (const name of APPS) {
      await eventually(async () => {
        const result = await readiness(name);
        if (result.status !== 200) throw new Error(`${name} not ready: ${JSON.stringify(result.body)}`);
      }, 20_000);
    }
  });
});
