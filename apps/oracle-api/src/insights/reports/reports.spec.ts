import { SIGNATURE_HEADER, verifyWebhookSignature } from '@metaloop/adapters';
import type { PatternsResponse, Report } from '@metaloop/contracts';
import { startFakeServer, type FakeServer } from '@metaloop/testing';
import { metricValue, oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';
import { IngestWriter } from '../../loop/ingest/ingest.writer';
import { lastCompletePeriod, previousPeriod } from './periods';
import { ReportsService } from './reports.service';

const SECRET = 'report-secret-0123456789';
const MINUTE_MS = 60_000;
const current = lastCompletePeriod('weekly', new Date());
const previous = previousPeriod(current);

let seq = 0;
/** One event `minutes` into a period; positive or negative by thumbs. */
const event = (
  from: Date,
  minutes: number,
  agent: string,
  revision: string | undefined,
  positive: boolean,
  tag: string,
  framework: string,
) => ({
  event_id: `ev-${++seq}`,
  kind: 'explicit' as const,
  agent_id: agent,
  session_id: `s-${seq % 7}`,
  ...(revision ? { revision_id: revision } : {}),
  timestamp: new Date(from.getTime() + minutes * MINUTE_MS).toISOString(),
  received_at: new Date().toISOString(),
  explicit: { helpful: positive, rating: positive ? 5 : 2 },
  tags: [tag],
  context: { framework, confidence: 0.9 },
});

describe('patterns and reports (over the dimension rollups)', () => {
  let h: OracleHarness;
  let hook: FakeServer;
  let revision: string;
  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    h.apps[0]!.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    hook = await startFakeServer((_request, response) => void response.writeHead(204).end());
    h = await oracleHarness('insights', {
      REPORTS_EVERY_MINUTES: '0',
      REPORT_WEBHOOK_URL: `${hook.url}/reports`,
      REPORT_WEBHOOK_SECRET: SECRET,
    });
    const created = await call('POST', '/api/v1/agents', {
      agent_id: 'writer',
      environment: 'prod',
      config: { model: 'gpt-4o', prompt: { version: 'v1', template: 'Answer briefly.' } },
    });
    revision = created.json<{ revision_id: string }>().revision_id;
    // Previous week: 160 of 200 succeed. This week: "code" 70 of 100, "billing" 10 of 100.
    const before = Array.from({ length: 200 }, (_, i) =>
      event(previous.from, i * 40, 'writer', revision, i % 5 !== 0, 'code', 'cot'),
    );
    const now = Array.from({ length: 200 }, (_, i) => {
      const billing = i % 2 === 1;
      const positive = billing ? i % 20 === 1 : i % 20 < 14;
      return event(
        current.from,
        i * 40,
        'writer',
        revision,
        positive,
        billing ? 'billing' : 'code',
        i % 4 === 0 ? 'plain' : 'cot',
      );
    });
    // Another agent, without a revision, on an older model nobody registered.
    const other = Array.from({ length: 10 }, (_, i) => event(current.from, i, 'other', undefined, true, 'code', 'cot'));
    const envelope = { v: 1 as const, type: 'feedback' as const, events: [...before, ...now, ...other] };
    await h.apps[0]!.get(IngestWriter).write([envelope]);
    // Delivered again (a crash before the ack): nothing counts twice.
    await h.apps[0]!.get(IngestWriter).write([envelope]);
    // Patterns and reports read rollups only: without the raw events they answer the same.
    await h.query('DELETE FROM feedback_events');
  });

  afterAll(async () => {
    await h?.dispose();
    await hook?.close();
  });

  it('writes hourly dimension rollups with the success verdicts in the ingest transaction, once per event', async () => {
    const rows = await h.query<{ dim: string; value: string; count: number; positive: number; negative: number }>(
      `SELECT dim, value, sum(count)::int AS count, sum(positive)::int AS positive, sum(negative)::int AS negative
       FROM feedback_dimension_rollups_hourly WHERE agent_id = 'writer' GROUP BY dim, value ORDER BY dim, value`,
    );
    expect(rows).toEqual([
      { dim: '*', value: '*', count: 400, positive: 240, negative: 160 },
      {
        dim: 'context.framework',
        value: 'cot',
        count: 350,
        positive: expect.any(Number),
        negative: expect.any(Number),
      },
      {
        dim: 'context.framework',
        value: 'plain',
        count: 50,
        positive: expect.any(Number),
        negative: expect.any(Number),
      },
      { dim: 'tag', value: 'billing', count: 100, positive: 10, negative: 90 },
      { dim: 'tag', value: 'code', count: 300, positive: 230, negative: 70 },
    ]);
  });

  it('POST /oracle/patterns: by tag, model, prompt version and context.framework, with significance', async () => {
    const response = await call('POST', '/api/v1/oracle/patterns', { days: 30, min_samples: 20, agent_id: 'writer' });
    expect(response.statusCode).toBe(200);
    const patterns = response.json<PatternsResponse>();
    expect(patterns).toMatchObject({ samples: 400, positive: 240, negative: 160, success_rate: 0.6 });
    expect(patterns.by_tag.map((g) => [g.value, g.samples, g.success_rate, g.significant])).toEqual([
      ['code', 300, 230 / 300, true],
      ['billing', 100, 0.1, true],
    ]);
    expect(patterns.by_model).toEqual([expect.objectContaining({ value: 'gpt-4o', samples: 400 })]);
    expect(patterns.by_prompt_version).toEqual([expect.objectContaining({ value: 'v1', samples: 400 })]);
    expect(patterns.by_context['framework']!.map((g) => g.value).sort()).toEqual(['cot', 'plain']);
    expect(patterns.failure_features.map((f) => f.feature)).toContain('tag:billing');
    expect(patterns.recommendations[0]).toMatch(/^Improve tag "billing": 10.0% success/);

    const fleet = (
      await call('POST', '/api/v1/oracle/patterns', { days: 30, context_keys: ['framework'] })
    ).json<PatternsResponse>();
    expect(fleet.samples).toBe(410);
    expect(fleet.by_model.map((g) => [g.value, g.samples])).toEqual([
      ['gpt-4o', 400],
      ['unknown', 10],
    ]);
    expect(fleet.by_prompt_version.map((g) => g.value)).toEqual(['writer:v1', 'other:unknown']);
  });

  it('answers 422 naming the samples there are and the ones needed', async () => {
    const response = await call('POST', '/api/v1/oracle/patterns', { days: 30, min_samples: 1000, agent_id: 'writer' });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ samples: 400, min_samples: 1000, detail: expect.stringContaining('400') });
    const empty = await call('POST', '/api/v1/oracle/patterns', { days: 1, agent_id: 'nobody' });
    expect(empty.json()).toMatchObject({ status: 422, samples: 0, min_samples: 5 });
    const bad = await call('POST', '/api/v1/oracle/patterns', { days: 0, context_keys: ['a.b'] });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['context_keys.0', 'days']);
  });

  let report: Report;
  it('POST /reports: the last complete week vs the one before, with the test and its significance; alerts and calls the webhook', async () => {
    const response = await call('POST', '/api/v1/reports', { period: 'weekly', agent_id: 'writer' });
    expect(response.statusCode).toBe(201);
    report = response.json<Report>();
    expect(report).toMatchObject({
      period: 'weekly',
      period_id: current.id,
      agent_id: 'writer',
      start_date: current.from.toISOString(),
      current: { total_feedback: 200, samples: 200, success_rate: 0.4 },
      previous: { period_id: previous.id, total_feedback: 200, success_rate: 0.8 },
      change: {
        success_rate: { test: 'two-proportion z-test (two-sided)', significant: true },
        mean_rating: { test: "Welch's t-test (two-sided)", significant: true },
      },
      alert: true,
      trigger: 'api',
    });
    expect(report.change.success_rate!.relative_percent).toBeCloseTo(-50);
    expect(report.change.success_rate!.p_value).toBeLessThan(1e-10);
    expect(report.problem_areas[0]).toMatchObject({ dimension: 'tag', value: 'billing', significant: true });
    expect(report.action_items[0]).toMatch(/^Success rate fell 50.0%/);

    expect(hook.received).toHaveLength(1);
    const delivered = hook.received[0]!;
    expect(verifyWebhookSignature(SECRET, delivered.headers[SIGNATURE_HEADER] as string, delivered.body, 300)).toBe(
      true,
    );
    expect(JSON.parse(delivered.body)).toMatchObject({
      event: 'report.success_drop',
      report: { report_id: report.report_id },
    });
    expect(await metricValue(h.apps, 'metaloop_report_success_drop_alerts_total', { period: 'weekly' })).toBe(1);
  });

  it('GET /reports/{id} as JSON and as Markdown; lists newest first with a cursor', async () => {
    const json = await call('GET', `/api/v1/reports/${report.report_id}`);
    expect(json.json()).toEqual(report);
    for (const markdown of [
      await call('GET', `/api/v1/reports/${report.report_id}`, undefined, { accept: 'text/markdown' }),
      await call('GET', `/api/v1/reports/${report.report_id}?format=markdown`),
    ]) {
      expect(markdown.headers['content-type']).toMatch(/^text\/markdown/);
      expect(markdown.body).toContain(`# Weekly improvement report ${current.id} — writer`);
      expect(markdown.body).toMatch(
        /\| success rate \| -40.0 points \(-50.0%\) \| two-proportion z-test \(two-sided\) \| < 0.001 \| yes/,
      );
    }
    const second = (await call('POST', '/api/v1/reports', { period: 'monthly', period_id: '2026-01' })).json<Report>();
    const page = (await call('GET', '/api/v1/reports?limit=1')).json<{ items: Report[]; next_cursor: string }>();
    expect(page.items.map((r) => r.report_id)).toEqual([second.report_id]);
    const rest = (await call('GET', `/api/v1/reports?limit=1&cursor=${page.next_cursor}`)).json();
    expect(rest).toEqual({ items: [report], next_cursor: null });
    expect((await call('GET', '/api/v1/reports?period=weekly')).json().items).toEqual([report]);
    expect((await call('GET', `/api/v1/reports/${second.report_id.replace(/.$/, '0')}`)).statusCode).toBe(404);
  });

  it('refuses a period that does not exist or has not begun', async () => {
    const missing = await call('POST', '/api/v1/reports', { period: 'weekly', period_id: '2025-W53' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors).toEqual([expect.objectContaining({ path: 'period_id' })]);
    expect((await call('POST', '/api/v1/reports', { period: 'monthly', period_id: '2999-01' })).statusCode).toBe(422);
    const malformed = await call('POST', '/api/v1/reports', { period: 'monthly', period_id: '2026-W49' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors).toEqual([expect.objectContaining({ path: 'period_id' })]);
  });

  it('the scheduled job makes the fleet report of the last complete week once', async () => {
    const service = h.apps[0]!.get(ReportsService);
    const made = await service.generateDue(['weekly']);
    expect(made).toEqual([expect.objectContaining({ period_id: current.id, agent_id: null, trigger: 'schedule' })]);
    expect(made[0]!.current.samples).toBe(210);
    expect(await service.generateDue(['weekly'])).toEqual([]);
  });
});
