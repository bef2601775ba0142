export { buildDashboard } from './build-dashboard';
export { DASHBOARDS } from './dashboards';
export { DASHBOARDS_DIR, renderDashboards } from './render';
export {
  awaiting,
  ENV,
  ENV_AGENT,
  metricNames,
  percentiles,
  TEMPLATE_VARIABLES,
  type DashboardSpec,
  type PanelSpec,
  type PanelType,
  type QuerySpec,
  type RowSpec,
} from './panel';
