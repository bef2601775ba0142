import { z } from 'zod';

/** What an API key may do. `admin` implies every other scope. */
export const SCOPES = [
  'feedback:write',
  'config:read',
  'oracle:read',
  'oracle:write',
  'oracle:execute',
  'oracle:rollback',
  'admin',
] as const;

export type Scope = (typeof SCOPES)[number];

const scopeSchema = z.enum(SCOPES, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a scope; expected one of ${SCOPES.join(', ')}`,
});

/** A key's scopes: at least one, known ones only; duplicates are dropped. */
export const scopeListSchema = z
  .array(scopeSchema)
  .min(1, 'at least one scope is needed')
  .transform((scopes) => [...new Set(scopes)]);

/** "a,b , c" (as the CLI takes it) → validated scope list. */
export const scopeListStringSchema = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(scopeListSchema);

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** The required scopes `granted` lacks (none when it holds `admin`). */
export function missingScopes(granted: readonly Scope[], required: readonly Scope[]): Scope[] {
  if (granted.includes('admin')) return [];
  return required.filter((scope) => !granted.includes(scope));
}
