import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, DASHBOARDS_DIR, metricNames, renderDashboards, TEMPLATE_VARIABLES, type PanelSpec } from './index';

const panels: Array<[string, PanelSpec]> = Object.entries(DASHBOARDS).flatMap(([name, spec]) =>
  spec.rows.flatMap((row) => row.panels.map((panel) => [`${name} / ${panel.title}`, panel] as [string, PanelSpec])),
);

describe('the dashboards', () => {
  it('are committed exactly as generated (run `npm run dashboards` after editing a spec)', () => {
    const generated = renderDashboards();
    const committed = Object.fromEntries(
      readdirSync(DASHBOARDS_DIR)
        .filter((name) => name.endsWith('.json'))
        .map((name) => [name, readFileSync(join(DASHBOARDS_DIR, name), 'utf8')]),
    );
    expect(Object.keys(committed).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, text] of Object.entries(generated))
      expect({ name, text: committed[name] }).toEqual({ name, text });
  });

  it('are the five the operators watch, with unique uids', () => {
    expect(Object.keys(DASHBOARDS).sort()).toEqual(['feedback', 'learning', 'oracle', 'performance', 'safety']);
    const uids = Object.values(DASHBOARDS).map((spec) => spec.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('offer the agent and environment variables', () => {
    for (const text of Object.values(renderDashboards())) {
      const names = (JSON.parse(text) as { templating: { list: Array<{ name: string }> } }).templating.list.map(
        (v) => v.name,
      );
      expect(names).toEqual(['datasource', ...TEMPLATE_VARIABLES]);
    }
  });

  it.each(panels)('%s has a description, a unit and at least one query', (_, panel) => {
    expect(panel.description.length).toBeGreaterThan(20);
    expect(panel.unit).toMatch(/^[a-z_]+$/);
    expect(panel.queries.length).toBeGreaterThan(0);
  });

  it.each(panels)('%s filters every selector by environment and uses only known variables', (_, panel) => {
    for (const { expr } of panel.queries) {
      expect(metricNames(expr).length).toBeGreaterThan(0);
      for (const [, , matchers] of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)) {
        expect(matchers).toContain('environment=~"$environment"');
      }
      const variables = [...expr.matchAll(/\$(\w+)/g)].map((match) => match[1]);
      for (const variable of variables) expect(['__rate_interval', ...TEMPLATE_VARIABLES]).toContain(variable);
    }
  });

  it('keeps panel titles unique within a dashboard', () => {
    for (const spec of Object.values(DASHBOARDS)) {
      const titles = spec.rows.flatMap((row) => row.panels.map((panel) => panel.title));
      expect(titles.filter((title, i) => titles.indexOf(title) !== i)).toEqual([]);
    }
  });
});

describe('metricNames', () => {
  it('finds the series a query reads, not functions, labels, ranges or keywords', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, app) (rate(http_request_duration_seconds_bucket{environment=~"$environment"}[5m]))) / on (app) group_left sum(up{job="x"}) or vector(0) unless time() - foo_seconds offset 5m > 1e3';
    expect(metricNames(expr)).toEqual(['http_request_duration_seconds_bucket', 'up', 'foo_seconds']);
  });
});
