export { loggingModule } from './logging/logging.module';
export { assignRequestId } from './logging/logger-params';
export { logRequests } from './logging/request-log';
export { DistinctWarnings } from './logging/distinct-warnings';
export { MetricsModule } from './metrics/metrics.module';
export { MetricsRegistry } from './metrics/metrics.registry';
export { instrumentHttp } from './metrics/http-metrics';
export { labelledChildren } from './metrics/labelled-children';
export { refreshEvery } from './metrics/refresh-every';
export { HealthModule } from './health/health.module';
export type { ReadinessCheck } from './health/health.options';
export {
  TextCounter,
  TextHistogram,
  TextSummary,
  type TextCounterChild,
  type TextObserver,
} from './metrics/text-families';
