export { loggingModule } from './logging/logging.module';
export { assignRequestId, loggerParams } from './logging/logger-params';
export { MetricsModule } from './metrics/metrics.module';
export { MetricsRegistry } from './metrics/metrics.registry';
export { instrumentHttp } from './metrics/http-metrics';
export { HealthModule } from './health/health.module';
export { HealthService, type CheckOutcome, type ReadinessReport } from './health/health.service';
export type { HealthModuleOptions, ReadinessCheck } from './health/health.options';
