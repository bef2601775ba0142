/**
 * A config miss that could not be looked up now (too many misses loading at once, or Postgres
 * failing): the agent may well be registered, so the answer is 503 with Retry-After, never 404.
 */
export class ConfigUnavailableError extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 1;

  constructor(agentId: string, why: string) {
    super(`the config of agent "${agentId}" cannot be looked up now (${why}); retry shortly`);
    this.name = 'ConfigUnavailableError';
  }
}
