import { applyDecorators, createParamDecorator, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiKeyGuard } from './api-key.guard';
import { AUTH_REALM } from './auth.errors';
import { PRINCIPAL_PROPERTY, type Principal, type RequestWithPrincipal } from './principal';
import { isScope, SCOPES, type Scope } from './scopes';
import { SCOPES_METADATA } from './scopes.metadata';

const problemContent = {
  'application/problem+json': {
    schema: {
      type: 'object' as const,
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string' as const },
        title: { type: 'string' as const },
        status: { type: 'integer' as const },
        detail: { type: 'string' as const },
        instance: { type: 'string' as const },
        request_id: { type: 'string' as const },
      },
    },
  },
};

/**
 * Declares the scopes a route (or every route of a controller) needs, all of them (`admin`
 * implies every scope), and protects it with ApiKeyGuard; OpenAPI shows the bearer scheme and
 * the 401/403 answers. Every route without it is public: see routesWithoutScopes().
 */
export function RequireScopes(...scopes: [Scope, ...Scope[]]): MethodDecorator & ClassDecorator {
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new Error(`@RequireScopes needs known scopes (${SCOPES.join(', ')}); got ${JSON.stringify(scopes)}`);
  }
  const listed = scopes.map((scope) => `\`${scope}\``).join(' and ');
  return applyDecorators(
    SetMetadata(SCOPES_METADATA, Object.freeze([...new Set(scopes)])),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'No API key, or one that is unknown, malformed, expired or revoked (problem+json).',
      headers: { 'WWW-Authenticate': { description: AUTH_REALM, schema: { type: 'string' } } },
      content: problemContent,
    }),
    ApiForbiddenResponse({
      description: `The API key lacks scope ${listed} (\`admin\` implies every scope).`,
      content: problemContent,
    }),
  );
}

/**
 * The caller of a route protected by @RequireScopes: its API key, or `{keyId: null, name:
 * 'anonymous', scopes: ['admin']}` while the API is open. Audit records name it as the actor.
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<RequestWithPrincipal>()[PRINCIPAL_PROPERTY];
  if (!principal) {
    throw new Error('@CurrentPrincipal() needs @RequireScopes(...) on the route: no principal was attached');
  }
  return principal;
});
