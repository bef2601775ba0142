import type { Scope } from './scopes';

/*
 * Plain Errors that carry their HTTP meaning the way libs/platform's ProblemDetailsFilter
 * expects (its StatusCarrier: httpStatus, headers, problemType, retryAfterSeconds), so they
 * are answered as RFC 7807 problem+json without this lib depending on libs/platform.
 */

export const AUTH_REALM = 'Bearer realm="metaloop"';

/** 401: no key, or a key that is unknown, malformed, expired or revoked. */
export class ApiKeyUnauthorizedError extends Error {
  readonly httpStatus = 401;
  readonly problemType = 'urn:metaloop:problem:unauthorized';
  readonly headers: Record<string, string>;

  constructor(
    message: string,
    readonly reason: 'missing' | 'invalid',
  ) {
    super(message);
    this.name = 'ApiKeyUnauthorizedError';
    // RFC 6750 §3: no error code when no credentials were sent, invalid_token otherwise.
    this.headers = { 'www-authenticate': reason === 'missing' ? AUTH_REALM : `${AUTH_REALM}, error="invalid_token"` };
  }

  static missing(): ApiKeyUnauthorizedError {
    return new ApiKeyUnauthorizedError('An API key is required: send "Authorization: Bearer <key>".', 'missing');
  }

  static invalid(): ApiKeyUnauthorizedError {
    return new ApiKeyUnauthorizedError(
      'The API key is not valid: it is unknown, malformed, expired or revoked.',
      'invalid',
    );
  }
}

/** 403: a valid key without the scope the route needs. */
export class ApiKeyForbiddenError extends Error {
  readonly httpStatus = 403;
  readonly problemType = 'urn:metaloop:problem:insufficient-scope';
  readonly headers: Record<string, string>;

  constructor(
    readonly keyName: string,
    readonly missing: Scope[],
  ) {
    const needed = missing.map((scope) => `"${scope}"`).join(', ');
    super(`This route needs scope ${needed}, which API key "${keyName}" does not have.`);
    this.name = 'ApiKeyForbiddenError';
    this.headers = { 'www-authenticate': `${AUTH_REALM}, error="insufficient_scope", scope="${missing.join(' ')}"` };
  }
}

/** 503: the key could not be checked because Postgres did not answer. */
export class ApiKeyVerificationUnavailableError extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 2;
  readonly problemType = 'urn:metaloop:problem:auth-unavailable';

  constructor(reason: string) {
    super(`The API key cannot be verified right now: ${reason}`);
    this.name = 'ApiKeyVerificationUnavailableError';
  }
}

/** Thrown at start in production when no API key is active. */
export class NoApiKeysError extends Error {
  constructor() {
    super(
      'no API keys: create one with `npm run keys:create -- --name X --scopes ...` ' +
        '(e.g. `--name ops --scopes admin`, with DATABASE_URL pointing at this database), then start again. ' +
        'With NODE_ENV=production the API never runs open.',
    );
    this.name = 'NoApiKeysError';
  }
}
