export { MetaloopClient, SDK_VERSION, type MetaloopClientOptions } from './client';
export type { ConfigOptions, ConfigRequest, ConfigResult } from './config-client';
export type { FeedbackOptions } from './feedback-sender';
export { MetaloopError, type MetaloopErrorKind } from './errors';
export type { FetchLike, HttpAnswer } from './http';
export type { Stats } from './stats';
export { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff';
export { uuidv7 } from './uuidv7';
export type * from './wire';
