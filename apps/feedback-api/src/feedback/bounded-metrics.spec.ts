import { performance } from 'node:perf_hooks';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MetricsRegistry } from '@metaloop/observability';
import { eventually, withClient } from '@metaloop/testing';
import { configHarness, type ConfigHarness } from '../__tests__/config-harness';

const DISTINCT_AGENTS = 50_000;
const BULK = 1_000;

describe('/metrics stays bounded whatever agent ids clients send (issue 14, item 2)', () => {
  let h: ConfigHarness;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    // A short resync, so an agent deleted in Postgres leaves the cache (and /metrics) within the suite.
    h = await configHarness('bounded_metrics', { CONFIG_RESYNC_MS: '200' }, 1);
    app = h.replicas[0]!;
    await h.createAgent('kept');
    await h.createAgent('leaving');
    await eventually(async () => {
      expect((await h.getConfig(app, 'kept', 's')).statusCode).toBe(200);
      expect((await h.getConfig(app, 'leaving', 's')).statusCode).toBe(200);
    });
  }, 60_000);

  afterAll(() => h?.dispose());

  const scrape = async () => {
    const started = performance.now();
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    return { body, ms: performance.now() - started };
  };
  const series = (body: string) => body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const bulk = (events: object[]) =>
    app.inject({ method: 'POST', url: '/api/v1/feedback/collect/bulk', payload: { events } });

  it('counts 50,000 unregistered agent ids under one label, registered agents under their own', async () => {
    const before = await scrape();
    for (const agent of ['kept', 'leaving']) {
      const response = await bulk([{ agent_id: agent, session_id: 's', explicit: { rating: 4, complaint: 'slow' } }]);
      expect(response.json()).toMatchObject({ accepted: 1 });
    }
    for (let start = 0; start < DISTINCT_AGENTS; start += BULK) {
      const events = Array.from({ length: BULK }, (_, i) => ({
        agent_id: `stranger_${start + i}`,
        session_id: 's',
        explicit: { rating: 3, helpful: true, complaint: 'x' },
        implicit: { response_time_ms: 100, success: true },
        revision_id: `made_up_${start + i}`,
      }));
      const response = await bulk(events);
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ accepted: BULK, rejected: 0 });
    }
    const after = await scrape();
    const perAgent = series(after.body).filter((line) => line.includes('agent_id="'));
    process.stdout.write(
      `/metrics: ${series(before.body).length} series (${before.body.length} B, ${before.ms.toFixed(1)} ms) before, ` +
        `${series(after.body).length} series (${after.body.length} B, ${after.ms.toFixed(1)} ms) after ${DISTINCT_AGENTS} distinct agent ids; ` +
        `${perAgent.length} per-agent series\n`,
    );
    expect(perAgent.length).toBeLessThan(1_000);
    expect(after.body).not.toContain('stranger_');
    expect(after.body).not.toContain('made_up_');
    expect(after.body.length).toBeLessThan(200_000);
    expect(after.body).toMatch(
      new RegExp(
        `metaloop_feedback_events_total\\{kind="explicit",agent_id="\\(unregistered\\)",result="accepted",app="feedback-api"\\} ${DISTINCT_AGENTS}\\b`,
      ),
    );
    expect(after.body).toMatch(/metaloop_feedback_complaints_total\{app="feedback-api",agent_id="kept"\} 1\b/);
  }, 300_000);

  it('drops the series of an agent that is no longer registered', async () => {
    expect((await scrape()).body).toContain('agent_id="leaving"');
    await withClient((client) => client.query(`DELETE FROM "${h.schema.schema}".agents WHERE id = 'leaving'`));
    await eventually(async () => expect((await scrape()).body).not.toContain('agent_id="leaving"'), 15_000);
    expect((await scrape()).body).toContain('agent_id="kept"');
  });

  it('gives system-metric sources a bounded set of series', async () => {
    for (let i = 0; i < 300; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/feedback/system/metric',
        payload: { source: `source_${i}`, name: 'cpu', value: 1 },
      });
      expect(response.statusCode).toBe(202);
    }
    const sources = series((await scrape()).body).filter((line) => line.includes('kind="system"'));
    expect(sources.length).toBeLessThanOrEqual(101);
    expect(sources.some((line) => line.includes('agent_id="(other)"'))).toBe(true);
  });

  it('gives 1,000 registered agents their own series (the scrape time is printed, not asserted)', async () => {
    const registered = Array.from({ length: 1_000 }, (_, i) => `fleet_${i}`);
    for (const agent of registered) await h.createAgent(agent);
    await eventually(async () => {
      for (const agent of [registered[0]!, registered.at(-1)!])
        expect((await h.getConfig(app, agent, 's')).statusCode).toBe(200);
    }, 30_000);
    for (let start = 0; start < registered.length; start += BULK) {
      const events = registered.slice(start, start + BULK).map((agent) => ({
        agent_id: agent,
        session_id: 's',
        explicit: { rating: 4, helpful: true },
        implicit: { response_time_ms: 120, success: true },
      }));
      expect((await bulk(events)).json()).toMatchObject({ rejected: 0 });
    }
    // Scraped over HTTP from another process, as Prometheus does (a client in this process would
    // share the event loop and slow the write it measures). The time is the server's own: request
    // received to response written, from its HTTP histogram.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const { httpDuration } = app.get(MetricsRegistry);
    const servedSeconds = async () =>
      (await httpDuration.get()).values.find(
        (v) => v.metricName === 'http_request_duration_seconds_sum' && v.labels.route === '/metrics',
      )?.value ?? 0;
    const scrapes: { body: string; ms: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const before = await servedSeconds();
      const body = await scrapeFromAnotherProcess(`http://127.0.0.1:${port}/metrics`);
      scrapes.push({ body, ms: ((await servedSeconds()) - before) * 1000 });
    }
    const { body } = scrapes[0]!;
    expect(scrapes.every((s) => s.ms > 0)).toBe(true);
    process.stdout.write(
      `/metrics with ${registered.length} registered agents: ${series(body).length} series, ${body.length} B, ` +
        `served in ${scrapes.map((s) => s.ms.toFixed(1)).join(', ')} ms\n`,
    );
    const agents = new Set([...body.matchAll(/agent_id="(fleet_\d+)"/g)].map((m) => m[1]));
    expect(agents.size).toBeGreaterThan(0);
    expect(agents.size).toBeLessThanOrEqual(registered.length);
  }, 300_000);
});

const execFileAsync = promisify(execFile);

async function scrapeFromAnotherProcess(url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((b) => process.stdout.write(b))`;
  const { stdout } = await execFileAsync(process.execPath, ['-e', script], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
