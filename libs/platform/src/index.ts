export { createApp, runApp, type AppDefinition } from './bootstrap';
export { ProblemDetailsFilter } from './problem-details.filter';
export { fieldError, problem, PROBLEM_CONTENT_TYPE, type FieldError } from './problem-details';
export { RequestValidationException } from './request-validation.exception';
export { Idempotent } from './idempotency.interceptor';
export { routeAudit } from './route-audit';
export { startApp } from './start-app';
export { FastRoute } from './fast-route.decorator';
