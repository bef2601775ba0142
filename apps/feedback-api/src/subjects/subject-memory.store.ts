import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '@metaloop/db';
import type { SubjectContext, SubjectMemoryResponse } from '@metaloop/contracts';
import { assembleContext, memoryView, type ContextBudget, type Facets, type StoredItem } from '@metaloop/memory';
import type { Env } from '../config/env.schema';

const SELECT_ITEMS = `
SELECT id, kind, text, key, weight, confidence, tags, agent_id AS "agentId", updated_at AS "updatedAt"
FROM subject_memory_items WHERE subject_id = $1`;
const SELECT_FACETS = `SELECT name, value, updated_at AS "updatedAt" FROM subject_facets WHERE subject_id = $1`;

interface Subject {
  items: StoredItem[];
  facets: Facets;
  facetsUpdatedAt?: Date;
}

/**
 * A subject's memory as oracle-api's loop/memory wrote it, read from Postgres on every request
 * (two indexed lookups of a bounded set: the policy caps the items per subject), so what ingest
 * learned is in the very next fetch. Read only: oracle-api is the only writer.
 */
@Injectable()
export class SubjectMemoryStore {
  private readonly logger = new Logger(SubjectMemoryStore.name);
  private readonly budget: ContextBudget;

  constructor(
    private readonly prisma: PrismaService,
    config: ConfigService<Env, true>,
  ) {
    this.budget = {
      tokens: config.get('SUBJECT_CONTEXT_TOKEN_BUDGET', { infer: true }),
      maxGoals: config.get('SUBJECT_CONTEXT_MAX_ITEMS', { infer: true }),
      maxPreferences: config.get('SUBJECT_CONTEXT_MAX_ITEMS', { infer: true }),
      maxHistory: config.get('SUBJECT_CONTEXT_MAX_ITEMS', { infer: true }),
      halfLifeDays: config.get('SUBJECT_MEMORY_HALF_LIFE_DAYS', { infer: true }),
    };
  }

  /** `GET /subjects/{id}/memory`: everything kept, goals and preferences by importance, then history. */
  async memory(subjectId: string): Promise<SubjectMemoryResponse> {
    const subject = await this.read(subjectId);
    return memoryView(
      subjectId,
      subject.items,
      subject.facets,
      subject.facetsUpdatedAt,
      this.budget.halfLifeDays,
      new Date(),
    );
  }

  /** The subject's context for the config fetch, within the token budget. */
  async context(subjectId: string): Promise<SubjectContext> {
    const subject = await this.read(subjectId);
    return assembleContext(subjectId, subject.items, subject.facets, this.budget, new Date());
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
