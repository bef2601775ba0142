import { SIGNATURE_HEADER, verifyWebhookSignature } from '@metaloop/adapters';
import type { BulkResponse, PatternsResponse, Report } from '@metaloop/contracts';
import { eventually, startFakeServer, type FakeServer } from '@metaloop/testing';
import { lastCompletePeriod, previousPeriod } from '../../apps/oracle-api/src/insights/reports/periods';
import { APPS, startMesh, type Mesh } from './mesh';
import { getJson, post, registerAgent } from './rollout-driver';

/**
 * Seed 003's reports and patterns on the running mesh, through the public API: two weeks of
 * feedback dated in the past (the week before last: 80 % success; last week: 45 %, "billing"
 * failing), a weekly report with the change and its significance, Markdown, the alert webhook,
 * patterns by tag, model and context.framework, and the 422 on too few samples.
 */
const SECRET = 'reports-webhook-secret-0123456789';
const WEEK_2 = lastCompletePeriod('weekly', new Date());
const WEEK_1 = previousPeriod(WEEK_2);

interface Sent {
  agent: string;
  revision: string;
  at: Date;
  positive: boolean;
  tag: string;
  framework: string;
}

/** 300 events per week over two agents (two models); week 2 is clearly worse, through "billing". */
function plan(revisions: Record<string, string>): Sent[] {
  const sent: Sent[] = [];
  for (const [week, range] of [
    [1, WEEK_1],
    [2, WEEK_2],
  ] as const)
    for (let i = 0; i < 300; i++) {
      const agent = i % 3 === 0 ? 'report_fast' : 'report_writer';
      const tag = i % 2 === 0 ? 'code' : 'billing';
      // Week 1: 80 % succeed everywhere. Week 2: code 80 %, billing 10 %.
      const positive = week === 1 || tag === 'code' ? i % 10 < 8 : i % 20 === 1;
      sent.push({
        agent,
        revision: revisions[agent]!,
        at: new Date(range.from.getTime() + i * 30 * 60_000),
        positive,
        tag,
        framework: i % 4 < 2 ? 'chain-of-thought' : 'plain',
      });
    }
  return sent;
}

describe('patterns and weekly reports over two generated weeks (seed 003)', () => {
  let mesh: Mesh;
  let hook: FakeServer;
  let oracle: string;
  let report: Report;

  beforeAll(async () => {
    hook = await startFakeServer((_request, response) => void response.writeHead(204).end());
    mesh = await startMesh('reports', {
      TICK_INTERVAL_MINUTES: '0',
      REPORTS_EVERY_MINUTES: '0',
      REPORT_WEBHOOK_URL: `${hook.url}/hook`,
      REPORT_WEBHOOK_SECRET: SECRET,
    });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    oracle = mesh.apps['oracle-api'].url;
    const feedback = mesh.apps['feedback-api'].url;
    const writer = await registerAgent(mesh, 'report_writer', []);
    const { revision_id: fast } = (await post(
      `${oracle}/api/v1/agents`,
      {
        agent_id: 'report_fast',
        environment: 'dev',
        config: { model: 'small-fast', prompt: { version: 'p1', template: 'Be quick.' } },
      },
      201,
    )) as { revision_id: string };
    const events = plan({ report_writer: writer, report_fast: fast }).map((e, i) => ({
      event_id: `report-${i}`,
      agent_id: e.agent,
      session_id: `session-${i % 40}`,
      revision_id: e.revision,
      timestamp: e.at.toISOString(),
      explicit: { helpful: e.positive, rating: e.positive ? 5 : 2 },
      implicit: { success: e.positive, response_time_ms: 400 },
      tags: [e.tag],
      context: { framework: e.framework },
    }));
    const answer = (await post(`${feedback}/api/v1/feedback/collect/bulk`, { events }, 202)) as BulkResponse;
    expect(answer.results.filter((r) => r.status !== 'accepted')).toEqual([]);
    // Ingested when the patterns of the last three weeks count all of them.
    await eventually(async () => {
      const patterns = (await post(`${oracle}/api/v1/oracle/patterns`, {
        days: 21,
        min_samples: 1,
      })) as PatternsResponse;
      expect(patterns.samples).toBe(600);
    }, 30_000);
  }, 120_000);

  afterAll(async () => {
    await mesh?.stop();
    await hook?.close();
  });

  it('a weekly report shows the change vs the previous week with its test and significance, and alerts', async () => {
    report = (await post(`${oracle}/api/v1/reports`, { period: 'weekly' }, 201)) as Report;
    expect(report).toMatchObject({
      period_id: WEEK_2.id,
      start_date: WEEK_2.from.toISOString(),
      end_date: WEEK_2.to.toISOString(),
      current: { total_feedback: 300, success_rate: 0.45 },
      previous: { period_id: WEEK_1.id, total_feedback: 300, success_rate: 0.8 },
      change: { success_rate: { test: 'two-proportion z-test (two-sided)', significant: true } },
      alert: true,
    });
    expect(report.change.success_rate!.difference).toBeCloseTo(-0.35);
    expect(report.change.success_rate!.p_value).toBeLessThan(0.001);
    expect(report.problem_areas[0]).toMatchObject({ dimension: 'tag', value: 'billing', significant: true });
    expect(report.action_items[0]).toMatch(/^Success rate fell 43.8% against the previous period/);

    const listed = await getJson<{ items: Report[] }>(`${oracle}/api/v1/reports?period=weekly`);
    expect(listed.items.map((r) => r.report_id)).toEqual([report.report_id]);
    const call = await eventually(async () => {
      expect(hook.received).toHaveLength(1);
      return hook.received[0]!;
    });
    expect(verifyWebhookSignature(SECRET, call.headers[SIGNATURE_HEADER] as string, call.body, 300)).toBe(true);
    const metrics = await (await fetch(`${oracle}/metrics`)).text();
    expect(metrics).toMatch(/metaloop_report_success_drop_alerts_total\{[^}]*period="weekly"[^}]*\} 1/);
  });

  it('serves the report as Markdown', async () => {
    for (const response of [
      await fetch(`${oracle}/api/v1/reports/${report.report_id}?format=markdown`),
      await fetch(`${oracle}/api/v1/reports/${report.report_id}`, { headers: { accept: 'text/markdown' } }),
    ]) {
      expect(response.headers.get('content-type')).toMatch(/^text\/markdown/);
      const markdown = await response.text();
      expect(markdown).toContain(`# Weekly improvement report ${WEEK_2.id}`);
      expect(markdown).toMatch(
        /\| success rate \| -35.0 points \(-43.8%\) \| two-proportion z-test \(two-sided\) \| < 0.001 \| yes/,
      );
      expect(markdown).toContain('| tag | billing |');
    }
  });

  it('patterns by tag, model and context.framework', async () => {
    const patterns = (await post(`${oracle}/api/v1/oracle/patterns`, {
      days: 21,
      min_samples: 50,
      context_keys: ['framework'],
    })) as PatternsResponse;
    expect(patterns).toMatchObject({ samples: 600, positive: 375, negative: 225 });
    const byTag = Object.fromEntries(patterns.by_tag.map((g) => [g.value, g]));
    expect(byTag['billing']).toMatchObject({ samples: 300, success_rate: 0.45, significant: true });
    expect(byTag['code']).toMatchObject({ samples: 300, success_rate: 0.8, significant: true });
    expect(patterns.by_model.map((g) => [g.value, g.samples]).sort()).toEqual([
      ['llama-3-8b', 400],
      ['small-fast', 200],
    ]);
    expect(patterns.by_prompt_version.map((g) => g.value).sort()).toEqual(['report_fast:p1', 'report_writer:v1']);
    expect(patterns.by_context['framework']!.map((g) => [g.value, g.samples]).sort()).toEqual([
      ['chain-of-thought', 300],
      ['plain', 300],
    ]);
    expect(patterns.failure_features.map((f) => f.feature)).toContain('tag:billing');
    expect(patterns.recommendations[0]).toMatch(/^Improve tag "billing"/);
  });

  it('answers 422 on too few samples, naming how many there are and how many are needed', async () => {
    const response = await fetch(`${oracle}/api/v1/oracle/patterns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ days: 21, min_samples: 1000, agent_id: 'report_fast' }),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ samples: 200, min_samples: 1000 });
  });
});
