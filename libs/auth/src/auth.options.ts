/** Tuning of the verification caches and the open-mode refresh; the defaults suit production. */
export interface AuthOptions {
  /**
   * How long a verified key is served from memory without asking Postgres. This bounds how
   * long a revoked key keeps working on a running app (revocation takes effect within it).
   */
  cacheTtlMs?: number;
  /** Upper bound on verified keys held in memory. */
  cacheMaxEntries?: number;
  /** How long an unknown/revoked/expired key is answered from memory (spares Postgres retries). */
  negativeCacheTtlMs?: number;
  /** Upper bound on remembered bad keys (the oldest is dropped first). */
  negativeCacheMaxEntries?: number;
  /** `last_used_at` is written at most this often per key, in the background. */
  touchIntervalMs?: number;
  /** How often the count of active keys (which decides open mode) is re-read. */
  modeRefreshIntervalMs?: number;
  /** The clock (ms since epoch); tests move it instead of sleeping. */
  now?: () => number;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

const AUTH_DEFAULTS = {
  cacheTtlMs: 30_000,
  cacheMaxEntries: 10_000,
  negativeCacheTtlMs: 5_000,
  negativeCacheMaxEntries: 1_024,
  touchIntervalMs: 60_000,
  modeRefreshIntervalMs: 30_000,
  now: Date.now,
} satisfies Required<AuthOptions>;

export type ResolvedAuthOptions = Required<AuthOptions>;

export function resolveAuthOptions(options: AuthOptions | undefined): ResolvedAuthOptions {
  const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
  return { ...AUTH_DEFAULTS, ...defined };
}
