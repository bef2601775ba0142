import { connectJetStream } from '@metaloop/messaging';
import { natsTopology } from '@metaloop/contracts';
import { DASHBOARDS, metricNames, type PanelSpec } from '@metaloop/grafana';
import { eventually, startFakeServer, testEnv, type FakeServer } from '@metaloop/testing';
import { startMesh, type Mesh } from '../../e2e/src/mesh';
import { fastPolicyFile } from '../../e2e/src/rollout-driver';
import { APPS, HEALTH_PATHS } from './support/apps';
import {
  apiData,
  describeWithBinary,
  instantQuery,
  localConfig,
  repoPrometheusConfig,
  requireBinary,
  startPrometheus,
  type PrometheusServer,
} from './support/prometheus';
import { AWAITING_RULE_GROUPS, ruleGroups } from './support/rules';
import { TRAFFIC } from './support/traffic';

/**
 * The proof of deploy/prometheus and grafana/dashboards: a real Prometheus with the
 * repository's scrape config and rules scrapes the three apps as processes while traffic
 * flows, then every panel query and every rule is evaluated through its HTTP API.
 */

const TRAFFIC_ROUNDS = 2;
const ENVIRONMENT = repoPrometheusConfig().scrape_configs[0]!.static_configs[0]!.labels!['environment']!;

const panels = Object.entries(DASHBOARDS).flatMap(([file, spec]) =>
  spec.rows.flatMap((row) => row.panels.map((panel) => [`${file} / ${panel.title}`, panel] as [string, PanelSpec])),
);
const livePanels = panels.filter(([, panel]) => !panel.awaits);
const awaitingPanels = panels.filter(([, panel]) => panel.awaits);

/** A panel query as Grafana sends it for the default view: All agents, this environment. */
const asGrafanaSends = (expr: string) =>
  expr.replaceAll('$__rate_interval', '1m').replaceAll('$environment', ENVIRONMENT).replaceAll('$agent', '.*');

const LIVE_NOW = 'every metric it reads is exported now, so it is live:';
const missingFrom = (names: Set<string>, expr: string) => metricNames(expr).filter((name) => !names.has(name));

/**
 * The series names an app declares on /metrics (`# TYPE` lines), observed or not yet: a
 * labelled counter has no sample until its first increment, but it exists.
 */
async function declaredMetrics(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
    type === 'histogram'
      ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
      : type === 'summary'
        ? [name!, `${name}_sum`, `${name}_count`]
        : [name!],
  );
}

interface RulesData {
  groups: Array<{
    name: string;
    rules: Array<{ name: string; query: string; health: string; lastError?: string; lastEvaluation: string }>;
  }>;
}

describeWithBinary('prometheus', 'dashboards and alerts on a real Prometheus scraping the mesh', () => {
  let mesh: Mesh;
  let prometheus: PrometheusServer;
  /** Where reports that alert are POSTed (REPORT_WEBHOOK_URL). */
  let reportHook: FakeServer;
  /** Every series name the apps declare plus Prometheus's own (`up`). */
  let known: Set<string>;

  /** Waits until `expr` returns data. */
  const until = (expr: string, waitingFor: string) =>
    eventually(
      async () => {
        const outcome = await instantQuery(prometheus.url, expr);
        if (!outcome.ok || outcome.result.length === 0) throw new Error(`${waitingFor}: ${expr}`);
      },
      30_000,
      250,
    );

  beforeAll(async () => {
    requireBinary('prometheus');
    // A look at each canary every second, so the rollback step takes seconds.
    reportHook = await startFakeServer((_request, response) => void response.writeHead(204).end());
    mesh = await startMesh('deploy-prometheus', {
      INGEST_GAUGE_POLL_MS: '250',
      POLICIES_PATH: fastPolicyFile(),
      REPORTS_EVERY_MINUTES: '0',
      REPORT_WEBHOOK_URL: `${reportHook.url}/report`,
      REPORT_WEBHOOK_SECRET: 'deploy-report-secret-0123456789',
    });
    await Promise.all(APPS.map((app) => mesh.apps[app.name].waitForReady(60_000)));
    prometheus = await startPrometheus(
      localConfig(Object.fromEntries(APPS.map((app) => [app.name, new URL(mesh.apps[app.name].url).host]))),
    );
    await until('sum(up) == 3', 'not every app is scraped yet');
    for (let round = 1; round <= TRAFFIC_ROUNDS; round++) {
      for (const step of TRAFFIC) await step.run(mesh);
      for (const step of TRAFFIC)
        await until(step.settled(round), `traffic "${step.name}" (round ${round}) not scraped yet`);
      // Two more scrapes of every target, so the next round (or a rate()) has a sample to grow from.
      await until(`min(timestamp(up)) > ${Date.now() / 1000 + 1.5}`, 'waiting for two scrapes after the traffic');
    }
    const declared = await Promise.all(APPS.map((app) => declaredMetrics(mesh.apps[app.name].url)));
    known = new Set([
      ...declared.flat(),
      ...(await apiData<string[]>(prometheus.url, '/api/v1/label/__name__/values')),
    ]);
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await mesh?.stop();
    await reportHook?.close();
    if (!mesh) return;
    const nats = await connectJetStream({
      servers: testEnv.TEST_NATS_URL,
      name: 'deploy-cleanup',
      prefix: mesh.schema.schema,
    });
    for (const stream of Object.values(natsTopology({ prefix: mesh.schema.schema }).streams)) {
      await nats.jsm.streams.delete(stream.name).catch(() => undefined);
    }
    await nats.nc.close();
  });

  it.each(livePanels)('%s returns data', async (_, panel) => {
    for (const { expr } of panel.queries) {
      expect({ expr, missing: missingFrom(known, expr) }).toEqual({ expr, missing: [] });
      const outcome = await instantQuery(prometheus.url, asGrafanaSends(expr));
      expect(outcome).toMatchObject({ ok: true });
      const values = outcome.ok ? outcome.result.map((sample) => Number(sample.value[1])) : [];
      expect({ expr, finite: values.some(Number.isFinite) }).toEqual({ expr, finite: true });
    }
  });

  // Registered only while some panel waits for its metrics (none does today).
  if (awaitingPanels.length > 0)
    it.each(awaitingPanels)('%s parses, and still awaits its metrics', async (id, panel) => {
      for (const { expr } of panel.queries)
        expect(await instantQuery(prometheus.url, asGrafanaSends(expr))).toMatchObject({ ok: true });
      if (panel.queries.every(({ expr }) => missingFrom(known, expr).length === 0)) {
        throw new Error(
          `${id}: ${LIVE_NOW} remove its \`awaits\` (grafana/src/dashboards) and add a traffic step that fills it (deploy/src/support/traffic.ts)`,
        );
      }
    });

  it('lets the variables find the environment and the agents', async () => {
    expect(await apiData<string[]>(prometheus.url, '/api/v1/label/environment/values?match[]=up')).toEqual([
      ENVIRONMENT,
    ]);
    const agents = await apiData<string[]>(
      prometheus.url,
      `/api/v1/label/agent_id/values?match[]=metaloop_feedback_events_total{kind!="system"}`,
    );
    // Registered agents by name; feedback for ids not registered counts under one label (bounded series).
    expect(agents).toEqual(expect.arrayContaining(['dashboard_agent', '(unregistered)']));
    expect(agents).not.toContain('helpful_assistant');
  });

  it('evaluates every alert rule without error', async () => {
    const data = await eventually(
      async () => {
        const rules = await apiData<RulesData>(prometheus.url, '/api/v1/rules?type=alert');
        if (rules.groups.some((group) => group.rules.some((rule) => rule.health === 'unknown')))
          throw new Error('rules not evaluated yet');
        return rules;
      },
      10_000,
      250,
    );
    const rules = data.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.name).sort()).toEqual(
      ruleGroups()
        .flatMap((group) => group.rules.map((rule) => rule.alert))
        .sort(),
    );
    expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => [rule.name, rule.lastError])).toEqual([]);
  });

  it('alerts only on series the apps export, except in the groups awaiting their metrics', () => {
    for (const group of ruleGroups()) {
      const missing = group.rules.flatMap((rule) => missingFrom(known, rule.expr));
      if (group.name in AWAITING_RULE_GROUPS) {
        if (missing.length === 0)
          throw new Error(
            `rule group ${group.name}: ${LIVE_NOW} remove it from AWAITING_RULE_GROUPS (deploy/src/support/rules.ts)`,
          );
      } else {
        expect({ group: group.name, missing }).toEqual({ group: group.name, missing: [] });
      }
    }
  });

  it('fires the dead-letter alert for the malformed message, and nothing critical', async () => {
    const alerts = await eventually(
      async () => {
        const { alerts: active } = await apiData<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>(
          prometheus.url,
          '/api/v1/alerts',
        );
        if (!active.some((alert) => alert.labels['alertname'] === 'MetaloopDeadLettersAppearing'))
          throw new Error('no dead-letter alert yet');
        return active;
      },
      10_000,
      250,
    );
    expect(alerts.find((alert) => alert.labels['alertname'] === 'MetaloopDeadLettersAppearing')).toMatchObject({
      state: 'firing',
      labels: { environment: ENVIRONMENT, severity: 'warning' },
    });
    expect(alerts.filter((alert) => alert.labels['severity'] === 'critical')).toEqual([]);
  });

  it.each(APPS)('$name answers the health and metrics paths the deployments use', async ({ name }) => {
    const { url } = mesh.apps[name];
    const metricsPath = repoPrometheusConfig().scrape_configs.find((job) => job.job_name === name)![
      'metrics_path'
    ] as string;
    for (const path of [HEALTH_PATHS.live, HEALTH_PATHS.ready, metricsPath]) {
      expect({ path, status: (await fetch(`${url}${path}`)).status }).toEqual({ path, status: 200 });
    }
  });
});
