import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyForbiddenError, ApiKeyUnauthorizedError } from './auth.errors';
import { AuthModeService } from './auth-mode.service';
import { ANONYMOUS_PRINCIPAL, PRINCIPAL_PROPERTY, type Principal, type RequestWithPrincipal } from './principal';
import { missingScopes, type Scope } from './scopes';
import { SCOPES_METADATA } from './scopes.metadata';

interface HttpRequest extends RequestWithPrincipal {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * `Authorization: Bearer <key>` → the key's principal on the request, or 401 (no key; unknown,
 * malformed, expired or revoked key; `WWW-Authenticate: Bearer realm="metaloop"`) or 403 (a
 * valid key without the route's scopes, named in the message). In open mode (see
 * AuthModeService) every request passes as the anonymous admin, or as its key when it sends a
 * valid one. Stateless: the caches live in ApiKeysService, shared by every module's guard.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly mode: AuthModeService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const required = this.reflector.getAllAndOverride<readonly Scope[] | undefined>(SCOPES_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    request[PRINCIPAL_PROPERTY] = await this.authorize(request.headers['authorization'], required ?? []);
    return true;
  }

  /**
   * The caller behind an Authorization header, allowed to use a route that needs `required`;
   * throws (or rejects with) the 401 or 403. The guard's whole decision, also for routes that
   * run it without an ExecutionContext (libs/platform's fast routes read the scopes once, at
   * start). Synchronous when the key's verification is cached (or not needed), so the hot
   * path awaits nothing then.
   */
  authorize(authorization: string | string[] | undefined, required: readonly Scope[]): Principal | Promise<Principal> {
    const key = bearerToken(authorization);

    if (!this.mode.enforcing) {
      const known = key ? this.keys.known(key) : null;
      if (known !== undefined) return known ?? (ANONYMOUS_PRINCIPAL as Principal);
      return this.keys.verify(key!).then(
        (principal) => principal ?? (ANONYMOUS_PRINCIPAL as Principal),
        () => ANONYMOUS_PRINCIPAL as Principal,
      );
    }

    if (key === undefined) throw ApiKeyUnauthorizedError.missing();
    const known = this.keys.known(key);
    if (known !== undefined) return allowed(known, required);
    return this.keys.verify(key).then((principal) => allowed(principal, required));
  }
}

/** A verified principal that holds the required scopes; the 401 or 403 otherwise. */
function allowed(principal: Principal | null, required: readonly Scope[]): Principal {
  if (!principal) throw ApiKeyUnauthorizedError.invalid();
  const missing = missingScopes(principal.scopes, required);
  if (missing.length > 0) throw new ApiKeyForbiddenError(principal.name, missing);
  return principal;
}

/** The token of a Bearer Authorization header; undefined when there is none (or another scheme). */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  return header.slice(space + 1).trim();
}
