export {
  SCOPES,
  isScope,
  missingScopes,
  scopeListSchema,
  scopeListStringSchema,
  scopeSchema,
  type Scope,
} from './scopes';
export { ANONYMOUS_PRINCIPAL, PRINCIPAL_PROPERTY, type Principal, type RequestWithPrincipal } from './principal';
export { generateKey, hashKey, KEY_PATTERN, parseKey, type ParsedKey } from './api-key-format';
export {
  ApiKeyInputError,
  ApiKeysService,
  type ApiKeyStatus,
  type ApiKeySummary,
  type CreateApiKeyInput,
  type CreatedApiKey,
  type RevokeResult,
} from './api-keys.service';
export { AuthModeService } from './auth-mode.service';
export { ApiKeyGuard, bearerToken } from './api-key.guard';
export { CurrentPrincipal, RequireScopes } from './decorators';
export { SCOPES_METADATA } from './scopes.metadata';
export { AuthModule, AuthOptionsModule } from './auth.module';
export { AUTH_DEFAULTS, AUTH_OPTIONS, type AuthOptions } from './auth.options';
export {
  AUTH_REALM,
  ApiKeyForbiddenError,
  ApiKeyUnauthorizedError,
  ApiKeyVerificationUnavailableError,
  NoApiKeysError,
} from './auth.errors';
export { listRoutes, routeScopes, routesWithoutScopes, type RouteAccess } from './route-audit';
