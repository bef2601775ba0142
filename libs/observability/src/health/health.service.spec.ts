import { Test } from '@nestjs/testing';
import { HealthModule } from './health.module';
import { HealthService } from './health.service';
import type { ReadinessCheck } from './health.options';

async function healthWith(checks: ReadinessCheck[], timeoutMs = 200): Promise<HealthService> {
  const moduleRef = await Test.createTestingModule({
    imports: [HealthModule.forRoot({ checks, timeoutMs })],
  }).compile();
  return moduleRef.get(HealthService);
}

describe('HealthService', () => {
  it('is ready when every dependency answers', async () => {
    const health = await healthWith([
      { name: 'postgres', check: async () => undefined },
      { name: 'nats', check: () => undefined },
    ]);
    const report = await health.readiness();
    expect(report.status).toBe('ready');
    expect(Object.keys(report.checks)).toEqual(['postgres', 'nats']);
  });

  it('names the dependency that is down and why', async () => {
    const health = await healthWith([
      { name: 'postgres', check: async () => undefined },
      { name: 'nats', check: async () => Promise.reject(new Error('disconnected from 127.0.0.1:4222, reconnecting')) },
    ]);
    const report = await health.readiness();
    expect(report.status).toBe('not_ready');
    expect(report.checks['postgres']!.status).toBe('up');
    expect(report.checks['nats']).toMatchObject({
      status: 'down',
      reason: 'disconnected from 127.0.0.1:4222, reconnecting',
    });
  });

  it('stays ready while a dependency that does not gate readiness is down, and still reports it', async () => {
    const health = await healthWith([
      { name: 'postgres', check: async () => undefined },
      { name: 'redis', check: async () => Promise.reject(new Error('connection refused')), gatesReadiness: false },
    ]);
    const report = await health.readiness();
    expect(report.status).toBe('ready');
    expect(report.checks['redis']).toMatchObject({ status: 'down', reason: 'connection refused' });
  });

  it('counts a dependency that hangs as down after the timeout', async () => {
    const health = await healthWith([{ name: 'redis', check: () => new Promise(() => undefined) }], 50);
    const report = await health.readiness();
    expect(report.checks['redis']).toMatchObject({ status: 'down', reason: 'no answer within 50 ms' });
  });

  it('reports not ready once shutdown has begun, so traffic drains away', async () => {
    const health = await healthWith([{ name: 'postgres', check: () => undefined }]);
    health.beforeApplicationShutdown();
    const report = await health.readiness();
    expect(report.status).toBe('not_ready');
    expect(report.checks['shutdown']).toMatchObject({ status: 'down', reason: 'shutting down' });
  });
});
