import { eventually } from '@metaloop/testing';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

describe('oracle-api with Redis unreachable', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    h = await oracleHarness('redis_down', { REDIS_URL: 'redis://127.0.0.1:1' }, { waitForReady: false });
  });

  afterAll(() => h?.dispose());

  it('is up but not ready, naming Redis', async () => {
    // Once NATS is connected, so shutting down does not race the connect (not what this is about).
    const response = await eventually(async () => {
      const ready = await h.apps[0]!.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.json().checks.nats).toMatchObject({ status: 'up' });
      return ready;
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().checks.redis).toMatchObject({ status: 'down' });
  });

  it('still shuts down promptly: the maintenance worker is closed without waiting for Redis', async () => {
    const started = Date.now();
    await h.apps.pop()!.close();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
