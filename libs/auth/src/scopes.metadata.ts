/** Metadata key under which @RequireScopes records the scopes a route needs. */
export const SCOPES_METADATA = 'metaloop:auth:scopes';
