import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { Prisma, PrismaClient, PrismaService } from '@metaloop/db';
import { generateKey, generatePrefix, hashKey, KEY_PATTERN, parseKey } from './api-key-format';
import { ApiKeyVerificationUnavailableError } from './auth.errors';
import { AUTH_OPTIONS, resolveAuthOptions, type AuthOptions, type ResolvedAuthOptions } from './auth.options';
import type { Principal } from './principal';
import { isScope, scopeListSchema, type Scope } from './scopes';
import { TtlCache } from './ttl-cache';

interface CreateApiKeyInput {
  name: string;
  scopes: readonly Scope[];
  /** When the key stops working; none = never. */
  expiresAt?: Date | null;
}

/** The only time the key itself exists outside its holder: store it now, it cannot be recovered. */
interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  expiresAt: Date | null;
  key: string;
}

type ApiKeyStatus = 'active' | 'expired' | 'revoked';

/** A key as listings show it: never the secret, never its hash. */
interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  status: ApiKeyStatus;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

interface RevokeResult {
  key: ApiKeySummary;
  /** It had been revoked before this call (nothing changed). */
  alreadyRevoked: boolean;
}

export class ApiKeyInputError extends Error {
  readonly httpStatus = 400;
}

interface VerifiedEntry {
  principal: Principal;
  /** The key's own expiry (ms), checked on every cache hit. */
  expiresAt: number | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[a-z0-9]{8}$/;

const SUMMARY_FIELDS = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

type SummaryRow = Prisma.ApiKeyGetPayload<{ select: typeof SUMMARY_FIELDS }>;

/**
 * API keys in Postgres (`api_keys`): only the public prefix and sha256 of the whole key are
 * stored. `verify` is the hot path (every guarded request): a verified key is served from
 * memory for `cacheTtlMs` (30 s), so a revocation reaches a running app within that time (at
 * once on the instance that revoked it); unknown, expired and revoked keys are remembered
 * for `negativeCacheTtlMs` (5 s); concurrent misses for one key share one query; and
 * `last_used_at` is written in the background, at most once per `touchIntervalMs` (1 min)
 * per key, never awaited by a request.
 */
@Injectable()
export class ApiKeysService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly options: ResolvedAuthOptions;
  private readonly verified: TtlCache<VerifiedEntry>;
  private readonly rejected: TtlCache<true>;
  private readonly inFlight = new Map<string, Promise<VerifiedEntry | null>>();
  private readonly lastTouched = new Map<string, number>();
  private readonly pendingTouches = new Set<Promise<unknown>>();
  /** Bumped by revoke(), so a lookup that started before it cannot cache the key again. */
  private generation = 0;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaClient,
    @Optional() @Inject(AUTH_OPTIONS) options?: AuthOptions,
  ) {
    this.options = resolveAuthOptions(options);
    const now = this.options.now;
    this.verified = new TtlCache(this.options.cacheTtlMs, this.options.cacheMaxEntries, now);
    this.rejected = new TtlCache(this.options.negativeCacheTtlMs, this.options.negativeCacheMaxEntries, now);
  }

  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw new ApiKeyInputError('name: expected 1 to 100 characters');
    const parsedScopes = scopeListSchema.safeParse(input.scopes);
    if (!parsedScopes.success) {
      throw new ApiKeyInputError(`scopes: ${parsedScopes.error.issues.map((issue) => issue.message).join('; ')}`);
    }
    const scopes = parsedScopes.data;
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && expiresAt.getTime() <= this.options.now())
      throw new ApiKeyInputError('expiresAt: must be in the future');

    // 36^8 prefixes make a clash rare; the unique index decides, and we draw again.
    for (let attempt = 1; ; attempt++) {
      const prefix = generatePrefix();
      const key = generateKey(prefix);
      try {
        const row = await this.prisma.apiKey.create({
          data: { name, prefix, secretHash: hashKey(key), scopes, expiresAt },
          select: { id: true },
        });
        return { id: row.id, name, prefix, scopes, expiresAt, key };
      } catch (error) {
        if (attempt < 5 && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') continue;
        throw error;
      }
    }
  }

  /**
   * The principal of a key that exists, is not revoked and has not expired; null otherwise
   * (also for anything not shaped like a key, without asking Postgres). Throws
   * ApiKeyVerificationUnavailableError (503) when Postgres must be asked and does not answer.
   */
  async verify(key: string): Promise<Principal | null> {
    const known = this.known(key);
    if (known !== undefined) return known;
    const hash = hashKey(key);
    let lookup = this.inFlight.get(hash);
    if (!lookup) {
      lookup = this.lookup(hash).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, lookup);
    }
    const entry = await lookup;
    if (!entry) return null;
    this.touch(entry.principal.keyId!, this.options.now());
    return entry.principal;
  }

  /**
   * What verify() would answer from memory alone: the principal, null for a key that is not
   * shaped like one or is known to be bad, undefined when only Postgres can tell. Lets the
   * hot path decide without a promise when the key was verified in the last `cacheTtlMs`.
   */
  known(key: string): Principal | null | undefined {
    if (!KEY_PATTERN.test(key)) return null;
    const hash = hashKey(key);
    const now = this.options.now();
    const cached = this.verified.get(hash);
    if (cached) {
      if (cached.expiresAt !== null && cached.expiresAt <= now) {
        this.verified.delete(hash);
        this.rejected.set(hash, true);
        return null;
      }
      this.touch(cached.principal.keyId!, now);
      return cached.principal;
    }
    return this.rejected.get(hash) ? null : undefined;
  }

  async list(): Promise<ApiKeySummary[]> {
    const rows = await this.prisma.apiKey.findMany({
      select: SUMMARY_FIELDS,
      orderBy: [{ createdAt: 'asc' }, { prefix: 'asc' }],
    });
    return rows.map((row) => this.summaryOf(row));
  }

  /**
   * Revokes a key by id or prefix (`abcd1234`, `mlk_abcd1234` or the whole key). Null when
   * no key matches. Takes effect here at once, on other running apps within `cacheTtlMs`.
   */
  async revoke(idOrPrefix: string): Promise<RevokeResult | null> {
    const reference = idOrPrefix.trim();
    const where = UUID.test(reference) ? { id: reference.toLowerCase() } : this.prefixWhere(reference);
    if (!where) return null;
    const row = await this.prisma.apiKey.findFirst({ where, select: SUMMARY_FIELDS });
    if (!row) return null;
    let alreadyRevoked = row.revokedAt !== null;
    if (!alreadyRevoked) {
      const revokedAt = new Date(this.options.now());
      const { count } = await this.prisma.apiKey.updateMany({
        where: { id: row.id, revokedAt: null },
        data: { revokedAt },
      });
      if (count === 1) row.revokedAt = revokedAt;
      else alreadyRevoked = true;
    }
    this.generation++;
    this.verified.deleteWhere((entry) => entry.principal.keyId === row.id);
    const current = alreadyRevoked
      ? await this.prisma.apiKey.findUnique({ where: { id: row.id }, select: SUMMARY_FIELDS })
      : row;
    return { key: this.summaryOf(current ?? row), alreadyRevoked };
  }

  /** Keys that would verify now: not revoked, not expired. */
  async countActive(): Promise<number> {
    return this.prisma.apiKey.count({
      where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(this.options.now()) } }] },
    });
  }

  /** Lets the last `last_used_at` writes finish before Prisma disconnects. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pendingTouches]);
  }

  private prefixWhere(reference: string): { prefix: string } | null {
    const prefix = parseKey(reference)?.prefix ?? reference.replace(/^mlk_/, '');
    return PREFIX.test(prefix) ? { prefix } : null;
  }

  private async lookup(hash: string): Promise<VerifiedEntry | null> {
    const generation = this.generation;
    let row: {
      id: string;
      name: string;
      scopes: string[];
      expiresAt: Date | null;
      revokedAt: Date | null;
      lastUsedAt: Date | null;
    } | null;
    try {
      row = await this.prisma.apiKey.findUnique({
        where: { secretHash: hash },
        select: { id: true, name: true, scopes: true, expiresAt: true, revokedAt: true, lastUsedAt: true },
      });
    } catch (error) {
      this.logger.error(`API key lookup failed: ${(error as Error).message}`);
      throw new ApiKeyVerificationUnavailableError('the key store (Postgres) did not answer');
    }
    const now = this.options.now();
    const valid = row !== null && row.revokedAt === null && (row.expiresAt === null || row.expiresAt.getTime() > now);
    if (!valid || !row) {
      if (generation === this.generation) this.rejected.set(hash, true);
      return null;
    }
    const principal: Principal = Object.freeze({
      keyId: row.id,
      name: row.name,
      scopes: Object.freeze(row.scopes.filter(isScope)) as Scope[],
    });
    const entry: VerifiedEntry = { principal, expiresAt: row.expiresAt?.getTime() ?? null };
    if (generation === this.generation) this.verified.set(hash, entry);
    // Another replica may have written last_used_at a moment ago: count that as our last write.
    const usedAt = row.lastUsedAt?.getTime();
    if (usedAt !== undefined && usedAt > (this.lastTouched.get(row.id) ?? -Infinity))
      this.lastTouched.set(row.id, usedAt);
    return entry;
  }

  /** Records use at most once per touchIntervalMs per key, in the background. */
  private touch(keyId: string, now: number): void {
    const last = this.lastTouched.get(keyId);
    if (last !== undefined && now - last < this.options.touchIntervalMs) return;
    this.lastTouched.set(keyId, now);
    const write = this.prisma.apiKey
      .updateMany({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } })
      .catch((error: Error) => this.logger.warn(`could not record last use of API key ${keyId}: ${error.message}`))
      .finally(() => this.pendingTouches.delete(write));
    this.pendingTouches.add(write);
  }

  private summaryOf(row: SummaryRow): ApiKeySummary {
    const now = this.options.now();
    const status: ApiKeyStatus = row.revokedAt
      ? 'revoked'
      : row.expiresAt && row.expiresAt.getTime() <= now
        ? 'expired'
        : 'active';
    return { ...row, scopes: row.scopes.filter(isScope), status };
  }
}
