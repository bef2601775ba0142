import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService, type Prisma } from '@metaloop/db';
import { AuditLog, systemActor } from '@metaloop/control';
import type { DatasetKind, DatasetManifest } from '@metaloop/contracts';
import { PolicyStore, type QualityMetric } from '@metaloop/policies';
import type { Env } from '../../config/env.schema';
import {
  countStage,
  dedupeKey,
  emptyCounts,
  preferenceLines,
  preferenceStage,
  rehearsalTarget,
  sftLine,
  sftStage,
  splitOf,
  type DatasetFilters,
  type StoredEvent,
} from './dataset-stages';

export const DATASET_FILES = {
  train: 'train.jsonl',
  validation: 'validation.jsonl',
  manifest: 'manifest.json',
} as const;

const ACTOR = systemActor('training');

/** The params a dataset row records: the filters, the seed, the split and rehearsal shares. */
export interface DatasetParams {
  min_quality: number;
  rehearsal_share: number;
  validation_share: number;
  seed: number;
  quality_weights: Record<string, number>;
}

interface EventRow {
  event_id: string;
  occurred_at: Date;
  payload: StoredEvent;
}

/** A JSONL file being written: its sha256, bytes and lines as it goes, with backpressure. */
class JsonlFile {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  lines = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
  }

  async write(line: string): Promise<void> {
    this.hash.update(line);
    this.bytes += Buffer.byteLength(line);
    this.lines++;
    if (!this.stream.write(line)) await once(this.stream, 'drain');
  }

  async close(): Promise<{ sha256: string; bytes: number; lines: number }> {
    this.stream.end();
    await once(this.stream, 'finish');
    return { sha256: this.hash.digest('hex'), bytes: this.bytes, lines: this.lines };
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/**
 * The streaming shell around dataset-stages: feedback events of the agent (and revision) in the
 * window, read in keyset pages of DATASET_PAGE_ROWS (never all at once), through the stages into
 * train.jsonl / validation.jsonl, then the rehearsal share of older accepted examples, then the
 * manifest. Memory grows with the dedupe set (12 bytes of hash per distinct example), not with
 * the events.
 */
@Injectable()
export class DatasetBuilder {
  private readonly logger = new Logger(DatasetBuilder.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly config: ConfigService<Env, true>,
    private readonly audit: AuditLog,
  ) {}

  get root(): string {
    return this.config.get('DATASETS_DIR', { infer: true });
  }

  /** The filters the current policy gives, as a dataset row records them. */
  paramsNow(): DatasetParams {
    const { learning } = this.policies.current().policy;
    return {
      min_quality: learning.datasets.min_quality,
      rehearsal_share: learning.datasets.rehearsal_share,
      validation_share: learning.datasets.validation_share,
      seed: learning.datasets.seed,
      quality_weights: { ...learning.quality },
    };
  }

  /** Builds the dataset whose row is `building`; the row ends `ready` with its manifest, or `failed` with the error. */
  async build(datasetId: string): Promise<DatasetManifest | undefined> {
    const row = await this.prisma.dataset.findUnique({ where: { id: datasetId } });
    if (!row || row.status !== 'building') return undefined;
    const started = performance.now();
    const dir = join(this.root, datasetId);
    try {
      const manifest = await this.write(row, dir);
      // The build is a link of the flywheel's chain (dataset → request → candidate): audited with its counts.
      await this.prisma.$transaction(async (tx) => {
        await tx.dataset.update({
          where: { id: datasetId },
          data: {
            status: 'ready',
            manifest: manifest as unknown as Prisma.InputJsonValue,
            location: datasetId,
            completedAt: new Date(),
          },
        });
        await this.audit.record(
          {
            actor: ACTOR,
            action: 'dataset.built',
            entityType: 'dataset',
            entityId: datasetId,
            agentId: row.agentId,
            details: {
              kind: row.kind,
              counts: manifest.counts,
              sha256: { train: manifest.files.train.sha256, validation: manifest.files.validation.sha256 },
            },
          },
          tx,
        );
      });
      const seconds = (performance.now() - started) / 1000;
      this.logger.log(
        `dataset ${datasetId} (${row.kind}, agent ${row.agentId}): ${manifest.counts.scanned} events → ${manifest.counts.train} train, ${manifest.counts.validation} validation in ${seconds.toFixed(1)} s`,
      );
      return manifest;
    } catch (error) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await this.prisma.dataset.update({
        where: { id: datasetId },
        data: { status: 'failed', error: (error as Error).message.slice(0, 2_000), completedAt: new Date() },
      });
      throw error;
    }
  }

  private async write(
    row: {
      id: string;
      agentId: string;
      revisionId: string | null;
      kind: DatasetKind;
      fromTime: Date;
      toTime: Date;
      params: unknown;
    },
    dir: string,
  ): Promise<DatasetManifest> {
    const params = row.params as DatasetParams;
    const filters: DatasetFilters = {
      minQuality: params.min_quality,
      weights: params.quality_weights as unknown as DatasetFilters['weights'],
      metrics: await this.metricDirections(),
    };
    await mkdir(dir, { recursive: true });
    const files = {
      train: new JsonlFile(join(dir, DATASET_FILES.train)),
      validation: new JsonlFile(join(dir, DATASET_FILES.validation)),
    };
    const counts = emptyCounts();
    const seen = new Set<string>();
    const side = (hash: string) => files[splitOf(hash, params.seed, params.validation_share)];
    try {
      const window = { from: row.fromTime, to: row.toTime };
      for await (const event of this.events(row.agentId, row.revisionId, window, 'asc')) {
        if (row.kind === 'preference') {
          const staged = preferenceStage(event.payload);
          countStage(counts, staged.stage);
          if (staged.stage !== 'kept' || !this.firstTime(seen, staged.example.hash)) continue;
          counts.deduplicated++;
          const file = side(staged.example.hash);
          for (const line of preferenceLines(staged.example)) await file.write(line);
        } else {
          const staged = sftStage(event.payload, filters);
          countStage(counts, staged.stage);
          if (staged.stage !== 'kept' || !this.firstTime(seen, staged.example.hash)) continue;
          counts.deduplicated++;
          await side(staged.example.hash).write(sftLine(staged.example));
        }
      }
      if (row.kind === 'sft') {
        const target = rehearsalTarget(counts.deduplicated, params.rehearsal_share);
        for await (const example of this.rehearsal(row.agentId, row.revisionId, row.fromTime, filters, target)) {
          if (counts.rehearsal_added >= target) break;
          if (!this.firstTime(seen, example.hash)) continue;
          counts.rehearsal_added++;
          await side(example.hash).write(sftLine(example));
        }
      }
    } catch (error) {
      files.train.destroy();
      files.validation.destroy();
      throw error;
    }
    const train = await files.train.close();
    const validation = await files.validation.close();
    counts.train = train.lines;
    counts.validation = validation.lines;
    const manifest: DatasetManifest = {
      dataset_id: row.id,
      agent_id: row.agentId,
      kind: row.kind,
      format: row.kind === 'sft' ? 'messages' : 'preference',
      window: { from: row.fromTime.toISOString(), to: row.toTime.toISOString() },
      counts,
      files: {
        train: { path: DATASET_FILES.train, ...train },
        validation: { path: DATASET_FILES.validation, ...validation },
      },
      filters: {
        min_quality: params.min_quality,
        rehearsal_share: params.rehearsal_share,
        validation_share: params.validation_share,
        seed: params.seed,
        revision_id: row.revisionId,
        quality_weights: params.quality_weights,
      },
      built_at: new Date().toISOString(),
    };
    await writeFile(join(dir, DATASET_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }

  private firstTime(seen: Set<string>, hash: string): boolean {
    const key = dedupeKey(hash);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }

  private async metricDirections(): Promise<Map<string, QualityMetric>> {
    const rows = await this.prisma.metricDefinition.findMany({ select: { name: true, type: true, optimize: true } });
    return new Map(rows.map((r) => [r.name, { type: r.type, optimize: r.optimize } as QualityMetric]));
  }

  /** Events in keyset pages by (occurred_at, event_id): each page one short query, none held open. */
  private async *events(
    agentId: string,
    revisionId: string | null,
    window: { from: Date; to: Date },
    order: 'asc' | 'desc',
  ): AsyncGenerator<EventRow> {
    const pageRows = this.config.get('DATASET_PAGE_ROWS', { infer: true });
    // The bound on occurred_at alone is what the (agent_id, occurred_at) index can seek to, so
    // a page costs the same deep in the window as at its start; event_id breaks ties.
    const [gte, gt] = order === 'asc' ? ['>=', '>'] : ['<=', '<'];
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      // No plain sort: without fresh statistics (a bulk load) the planner would sort all the
      // rest of the window for every page; the index scan + incremental sort reads one page.
      const [, rows] = await this.prisma.$transaction([
        this.prisma.$executeRawUnsafe('SET LOCAL enable_sort = off'),
        this.prisma.$queryRawUnsafe<EventRow[]>(
          `SELECT event_id, occurred_at, payload FROM feedback_events
         WHERE agent_id = $1 AND occurred_at >= $2 AND occurred_at < $3
           AND ($4::text IS NULL OR revision_id = $4)
           ${after ? `AND occurred_at ${gte} $6 AND (occurred_at ${gt} $6 OR event_id ${gt} $7)` : ''}
         ORDER BY occurred_at ${order}, event_id ${order} LIMIT $5`,
          agentId,
          window.from,
          window.to,
          revisionId,
          pageRows,
          ...(after ? [after.at, after.id] : []),
        ),
      ]);
      for (const row of rows) yield row;
      if (rows.length < pageRows) return;
      const last = rows[rows.length - 1]!;
      after = { at: last.occurred_at, id: last.event_id };
    }
  }

  /**
   * Older accepted examples, newest first: the example store's (not demoted, created before the
   * window) when it has any, else older feedback events through the same stages.
   */
  private async *rehearsal(
    agentId: string,
    revisionId: string | null,
    before: Date,
    filters: DatasetFilters,
    target: number,
  ): AsyncGenerator<{ input: string; output: string; hash: string }> {
    if (target === 0) return;
    const stored = await this.prisma.$queryRawUnsafe<Array<{ input: string; output: string; content_hash: string }>>(
      `SELECT input, output, content_hash FROM examples
       WHERE agent_id = $1 AND demoted_at IS NULL AND created_at < $2
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      agentId,
      before,
      target * 2,
    );
    if (stored.length > 0) {
      for (const e of stored) yield { input: e.input, output: e.output, hash: e.content_hash };
      return;
    }
    for await (const event of this.events(agentId, revisionId, { from: new Date(0), to: before }, 'desc')) {
      const staged = sftStage(event.payload, filters);
      if (staged.stage === 'kept') yield staged.example;
    }
  }
}
