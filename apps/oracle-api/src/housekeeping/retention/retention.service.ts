import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '@metaloop/db';
import type { Env } from '../../config/env.schema';
import { ExamplesService } from '../../loop/examples/examples.service';
import { RetentionMetrics } from './retention.metrics';

export interface PurgeResult {
  cutoff: string;
  feedback_events: number;
  system_metrics: number;
  /** Examples no feedback renewed for the policy's learning.examples.retention_days. */
  examples: number;
}

const DAY_MS = 86_400_000;

/** Chunked deletes by primary key: short transactions, no long lock on the ingest path. */
const PURGE = {
  feedback_events: `DELETE FROM feedback_events WHERE event_id IN (
    SELECT event_id FROM feedback_events WHERE received_at < $1::timestamptz LIMIT $2::int)`,
  system_metrics: `DELETE FROM system_metrics WHERE id IN (
    SELECT id FROM system_metrics WHERE received_at < $1::timestamptz LIMIT $2::int)`,
} as const;

/**
 * Raw-event retention: feedback events and system metrics received more than
 * RETENTION_DAYS ago are deleted; the per-minute rollups that analysis reads are kept. Examples
 * (DICL) follow the policy's own retention, by their owner, the example store.
 */
@Injectable()
export class RetentionService implements OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private readonly chunkRows: number;
  private stopping = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: RetentionMetrics,
    private readonly examples: ExamplesService,
    config: ConfigService<Env, true>,
  ) {
    this.chunkRows = config.get('RETENTION_PURGE_CHUNK_ROWS', { infer: true });
  }

  /** A purge in progress stops after its current chunk; the next scheduled run carries on. */
  onModuleDestroy(): void {
    this.stopping = true;
  }

  async purge(retentionDays: number, now = Date.now()): Promise<PurgeResult> {
    const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
    try {
      const result: PurgeResult = { cutoff, feedback_events: 0, system_metrics: 0, examples: 0 };
      for (const table of ['feedback_events', 'system_metrics'] as const) {
        for (;;) {
          const deleted = await this.prisma.$executeRawUnsafe(PURGE[table], cutoff, this.chunkRows);
          result[table] += deleted;
          this.metrics.rowsDeleted.inc({ table }, deleted);
          if (deleted < this.chunkRows || this.stopping) break;
        }
      }
      result.examples = await this.examples.purgeExpired(this.chunkRows, now);
      this.metrics.rowsDeleted.inc({ table: 'examples' }, result.examples);
      this.metrics.runs.inc({ outcome: 'success' });
      this.logger.log(
        `purged raw rows received before ${cutoff}: ${result.feedback_events} feedback events, ${result.system_metrics} system metrics; ${result.examples} expired examples`,
      );
      return result;
    } catch (error) {
      this.metrics.runs.inc({ outcome: 'failure' });
      throw error;
    }
  }
}
