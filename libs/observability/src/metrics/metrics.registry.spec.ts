import { MetricsRegistry } from './metrics.registry';

describe('MetricsRegistry', () => {
  it('carries default process metrics and the HTTP histogram, labelled with the app', async () => {
    const registry = new MetricsRegistry('feedback-api');
    registry.httpDuration.observe({ method: 'GET', route: '/health/live', status_code: '200' }, 0.002);
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total{app="feedback-api"}');
    expect(text).toContain(
      'http_request_duration_seconds_count{app="feedback-api",method="GET",route="/health/live",status_code="200"} 1',
    );
  });

  it('keeps apps apart: two registries in one process do not clash', () => {
    expect(() => [new MetricsRegistry('a'), new MetricsRegistry('b')]).not.toThrow();
  });
});
