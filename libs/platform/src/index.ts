export { createApp, runApp, type AppDefinition, type BodyLimits, type FastRoutesSetting } from './bootstrap';
export { PlatformModule, type PlatformOptions } from './platform.module';
export { ProblemDetailsFilter, type StatusCarrier } from './problem-details.filter';
export { fieldError, problem, PROBLEM_CONTENT_TYPE, type FieldError, type ProblemDetails } from './problem-details';
export { RequestValidationException } from './request-validation.exception';
export { Idempotent, IdempotencyInterceptor } from './idempotency.interceptor';
export { routeAudit, type RouteAuditReport } from './route-audit';
export { startApp } from './start-app';
export { FastRoute } from './fast-route.decorator';
