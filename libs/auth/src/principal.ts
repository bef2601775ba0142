import type { Scope } from './scopes';

/** Who is calling: the verified API key, or `anonymous` while the API is open (no keys yet). */
export interface Principal {
  /** The api_keys row id; null for the anonymous principal of open mode. */
  keyId: string | null;
  name: string;
  scopes: Scope[];
}

/** The principal of every request while enforcement is off (outside production, no active key). */
export const ANONYMOUS_PRINCIPAL: Readonly<Principal> = Object.freeze({
  keyId: null,
  name: 'anonymous',
  scopes: Object.freeze(['admin']) as unknown as Scope[],
});

/** Where ApiKeyGuard leaves the principal on the (Fastify) request. */
export const PRINCIPAL_PROPERTY = 'principal';

export interface RequestWithPrincipal {
  [PRINCIPAL_PROPERTY]?: Principal;
}
