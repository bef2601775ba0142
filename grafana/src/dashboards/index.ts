import type { DashboardSpec } from '../panel';
import { feedbackDashboard } from './feedback';
import { learningDashboard } from './learning';
import { oracleDashboard } from './oracle';
import { performanceDashboard } from './performance';
import { safetyDashboard } from './safety';

/** Every dashboard, by the name of its file in grafana/dashboards/. */
export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = {
  feedback: feedbackDashboard,
  learning: learningDashboard,
  oracle: oracleDashboard,
  performance: performanceDashboard,
  safety: safetyDashboard,
};
