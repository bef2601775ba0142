import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '@metaloop/db';
import { PolicyStore } from '@metaloop/policies';
import type { SubjectContext, SubjectMemoryChangedMessage, SubjectMemoryResponse } from '@metaloop/contracts';
import { assembleContext, memoryView, type ContextBudget, type Facets, type StoredItem } from '@metaloop/memory';
import type { Env } from '../config/env.schema';

const SELECT_ITEMS = `
SELECT id, kind, text, key, weight, confidence, tags, agent_id AS "agentId", updated_at AS "updatedAt"
FROM subject_memory_items WHERE subject_id = $1`;
const SELECT_FACETS = `SELECT name, value, updated_at AS "updatedAt" FROM subject_facets WHERE subject_id = $1`;

/**
 * The config path's read, in one round trip and one row (decoded as two JSON texts, far cheaper
 * than rows through Prisma): per kind the best candidates — goals and preferences by decayed
 * importance, history newest first — and the facets.
 */
const SELECT_CONTEXT = `
SELECT
  (SELECT coalesce(json_agg(r), '[]')::text FROM (
     SELECT id, kind, text, key, weight, confidence, tags, agent_id AS "agentId", updated_at AS "updatedAt",
            row_number() OVER (PARTITION BY kind ORDER BY
              CASE WHEN kind = 'HISTORY' THEN 0
                   ELSE -(weight * confidence * power(0.5, extract(epoch FROM now() - updated_at) / 86400 / $2)) END,
              updated_at DESC) AS rank
     FROM subject_memory_items WHERE subject_id = $1) AS r
   WHERE r.rank <= $3) AS items,
  (SELECT coalesce(json_object_agg(name, value), '{}')::text FROM subject_facets WHERE subject_id = $1) AS facets`;

/** Candidates read per kind for the context: enough that a long item skipped for the budget leaves others to take. */
const CANDIDATES_PER_ITEM = 4;

interface Subject {
  items: StoredItem[];
  facets: Facets;
  facetsUpdatedAt?: Date;
}

/** A subject's cached context; `version` counts its invalidations, so a read that raced one is not kept. */
interface CachedContext {
  version: number;
  /** Absent after an invalidation (a tombstone keeping the version). */
  context?: SubjectContext;
  loadedAt: number;
}

/**
 * A subject's memory as oracle-api's loop/memory wrote it. The memory route reads Postgres on
 * every request; the config fetch's context is cached per subject for at most
 * SUBJECT_CONTEXT_CACHE_MS (0: not cached) and dropped at once by `subject.memory.changed`, so
 * what ingest learned is in the next fetch (a lost message delays it by at most the TTL). Read
 * only: oracle-api is the only writer. Goals and preferences rank by the policy's
 * memory.half_life_days (the file oracle-api learns by), read per read, so a reloaded policy
 * ranks the next read without a restart.
 */
@Injectable()
export class SubjectMemoryStore {
  private readonly logger = new Logger(SubjectMemoryStore.name);
  private readonly budget: Omit<ContextBudget, 'halfLifeDays'>;
  private readonly cache = new Map<string, CachedContext>();
  /** Reads in flight, shared by concurrent fetches of the same subject. */
  private readonly loading = new Map<string, Promise<SubjectContext>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    config: ConfigService<Env, true>,
  ) {
    this.budget = {
      tokens: config.get('SUBJECT_CONTEXT_TOKEN_BUDGET', { infer: true }),
      maxGoals: config.get('SUBJECT_CONTEXT_MAX_ITEMS', { infer: true }),
      maxPreferences: config.get('SUBJECT_CONTEXT_MAX_ITEMS', { infer: true }),
      maxHistory: config.get('SUBJECT_CONTEXT_MAX_ITEMS', { infer: true }),
    };
    this.ttlMs = config.get('SUBJECT_CONTEXT_CACHE_MS', { infer: true });
    this.maxEntries = config.get('SUBJECT_CONTEXT_CACHE_MAX_ENTRIES', { infer: true });
  }

  /** `subject.memory.changed`: the next fetch of these subjects reads Postgres (and a read in flight is not kept). */
  onChanged(message: SubjectMemoryChangedMessage): void {
    for (const subjectId of message.subject_ids) {
      const entry = this.cache.get(subjectId);
      if (!entry && !this.loading.has(subjectId)) continue;
      this.cache.set(subjectId, { version: (entry?.version ?? 0) + 1, loadedAt: 0 });
      this.loading.delete(subjectId);
    }
  }

  /** The subject's context for the config fetch, within the token budget: cached, else read (once for concurrent fetches). */
  context(subjectId: string): SubjectContext | Promise<SubjectContext> {
    if (this.ttlMs === 0) return this.readContext(subjectId);
    const entry = this.cache.get(subjectId);
    if (entry?.context && Date.now() - entry.loadedAt < this.ttlMs) return entry.context;
    const pending = this.loading.get(subjectId);
    if (pending) return pending;
    const version = entry?.version ?? 0;
    const read = this.readContext(subjectId)
      .then((context) => {
        if ((this.cache.get(subjectId)?.version ?? 0) === version) this.remember(subjectId, version, context);
        return context;
      })
      .finally(() => {
        if (this.loading.get(subjectId) === read) this.loading.delete(subjectId);
      });
    this.loading.set(subjectId, read);
    return read;
  }

  private remember(subjectId: string, version: number, context: SubjectContext): void {
    this.cache.delete(subjectId);
    this.cache.set(subjectId, { version, context, loadedAt: Date.now() });
    // The oldest loaded go first (a Map iterates in insertion order).
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= this.maxEntries) break;
      this.cache.delete(oldest);
    }
  }

  /** `GET /subjects/{id}/memory`: everything kept, goals and preferences by importance, then history. */
  async memory(subjectId: string): Promise<SubjectMemoryResponse> {
    const subject = await this.read(subjectId);
    return memoryView(
      subjectId,
      subject.items,
      subject.facets,
      subject.facetsUpdatedAt,
      this.halfLifeDays(),
      new Date(),
    );
  }

  /** The policy in force's half-life (a field read: the store swaps the whole policy on a reload). */
  private halfLifeDays(): number {
    return this.policies.current().policy.memory.half_life_days;
  }

  private async readContext(subjectId: string): Promise<SubjectContext> {
    // One half-life for the query's pre-ranking and the assembly, even if a reload lands in between.
    const budget: ContextBudget = { ...this.budget, halfLifeDays: this.halfLifeDays() };
    const limit = CANDIDATES_PER_ITEM * Math.max(budget.maxGoals, budget.maxPreferences, budget.maxHistory);
    let row: { items: string; facets: string } | undefined;
    try {
      [row] = await this.prisma.$queryRawUnsafe<Array<{ items: string; facets: string }>>(
        SELECT_CONTEXT,
        subjectId,
        budget.halfLifeDays,
        limit,
      );
    } catch (error) {
      this.logger.warn(`reading a subject's context failed (${(error as Error).message})`);
      throw new SubjectMemoryUnavailableError(subjectId);
    }
    const items = (JSON.parse(row?.items ?? '[]') as Array<Omit<StoredItem, 'updatedAt'> & { updatedAt: string }>).map(
      (item) => ({ ...item, updatedAt: new Date(item.updatedAt) }),
    );
    return assembleContext(subjectId, items, JSON.parse(row?.facets ?? '{}') as Facets, budget, new Date());
  }

  private async read(subjectId: string): Promise<Subject> {
    try {
      const [items, facetRows] = await Promise.all([
        this.prisma.$queryRawUnsafe<StoredItem[]>(SELECT_ITEMS, subjectId),
        this.prisma.$queryRawUnsafe<Array<{ name: string; value: number; updatedAt: Date }>>(SELECT_FACETS, subjectId),
      ]);
      const facets: Facets = {};
      let facetsUpdatedAt: Date | undefined;
      for (const row of facetRows) {
        facets[row.name] = row.value;
        if (!facetsUpdatedAt || row.updatedAt > facetsUpdatedAt) facetsUpdatedAt = row.updatedAt;
      }
      return { items, facets, facetsUpdatedAt };
    } catch (error) {
      this.logger.warn(`reading a subject's memory failed (${(error as Error).message})`);
      throw new SubjectMemoryUnavailableError(subjectId);
    }
  }
}

/** Postgres could not be read: 503 with Retry-After (the cause goes to the log, not to the client). */
export class SubjectMemoryUnavailableError extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 1;

  constructor(subjectId: string) {
    super(`the memory of subject "${subjectId}" cannot be read now; retry shortly`);
    this.name = 'SubjectMemoryUnavailableError';
  }
}
