import { join } from 'node:path';
import { buildDashboard } from './build-dashboard';
import { DASHBOARDS } from './dashboards';

/** grafana/dashboards/ (src/ and dist/ sit at the same depth). */
export const DASHBOARDS_DIR = join(__dirname, '..', 'dashboards');

/** The JSON text of every dashboard file, by file name (`feedback.json`, …). */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DASHBOARDS).map(([name, spec]) => [
      `${name}.json`,
      `${JSON.stringify(buildDashboard(spec), null, 2)}\n`,
    ]),
  );
}
