/**
 * The declarative model of the dashboards: a panel is a title, a description, a unit, a type
 * and its PromQL. Everything about Grafana's JSON lives in build-dashboard.ts.
 */

export type PanelType = 'timeseries' | 'stat';

export interface QuerySpec {
  expr: string;
  /** Grafana legend template, e.g. `{{app}} p99`. */
  legend?: string;
}

export interface PanelSpec {
  title: string;
  /** The (i) tooltip: what the panel measures and how to read it. */
  description: string;
  /** A Grafana unit id: `eps`, `reqps`, `s`, `percentunit`, `bytes`, `short`, `bool_on_off`, … */
  unit: string;
  type: PanelType;
  queries: readonly QuerySpec[];
  /** Grid columns out of 24; defaults: 12 for a time series, 6 for a stat. */
  width?: number;
  stacked?: boolean;
  min?: number;
  max?: number;
  /**
   * Set while the metrics the panel reads are not exported yet: who will export them. The
   * Prometheus proof test only checks that such a panel parses; once every metric it names
   * exists, the test fails until this is removed (and traffic that fills the panel is added).
   */
  awaits?: string;
}

export interface RowSpec {
  title: string;
  panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  rows: readonly RowSpec[];
}

/**
 * Label matchers every selector carries. `environment` is a target label set in the
 * Prometheus scrape config; `agent_id` is on the per-agent series.
 */
export const ENV = 'environment=~"$environment"';
export const ENV_AGENT = `${ENV}, agent_id=~"$agent"`;

/** The dashboard variables queries may use (besides Grafana's own `$__rate_interval`). */
export const TEMPLATE_VARIABLES = ['environment', 'agent'] as const;

/** Marks panels whose metrics arrive later, with who will export them. */
export function awaiting(exporter: string, panels: readonly PanelSpec[]): PanelSpec[] {
  return panels.map((panel) => ({ ...panel, awaits: exporter }));
}

/** p50, p95 and p99 of a Prometheus histogram, per `by` labels (legend: `<by labels> p99`). */
export function percentiles(histogram: string, matchers: string, by: readonly string[] = []): QuerySpec[] {
  const labels = ['le', ...by].join(', ');
  const prefix = by.map((label) => `{{${label}}} `).join('');
  return [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${labels}) (rate(${histogram}_bucket{${matchers}}[$__rate_interval])))`,
    legend: `${prefix}p${Math.round(q * 100)}`,
  }));
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: its identifiers once strings, label matchers,
 * ranges and grouping clauses are removed, minus functions (followed by `(`) and keywords.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)]
    .map((match) => match[0])
    .filter((name) => !PROMQL_KEYWORDS.has(name.toLowerCase()));
  return [...new Set(names)];
}
