import { join } from 'node:path';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, type Dataset, type Prisma, type TrainingRequest } from '@metaloop/db';
import {
  buildDatasetJobOptions,
  candidateKey,
  deliverTrainingJobOptions,
  JOBS,
  QUEUES,
  type BuildDatasetJob,
  type CandidateRegistration,
  type CandidateResponse,
  type CreateDatasetRequest,
  type DatasetFile,
  type DatasetListQuery,
  type DatasetListResponse,
  type DatasetManifest,
  type DatasetResponse,
  type DeliverTrainingRequestJob,
  type Finding,
  type TrainingChainResponse,
  type TrainingRequestView,
} from '@metaloop/contracts';
import { AuditLog, systemActor } from '@metaloop/control';
import { PolicyStore } from '@metaloop/policies';
import { CandidatesService } from '@metaloop/registry';
import type { Queue } from 'bullmq';
import { DATASET_FILES, DatasetBuilder } from './dataset-builder';
import { TrainingMetrics } from './training.metrics';
import {
  DatasetNotFoundError,
  DatasetNotReadyError,
  TrainingRequestMismatchError,
  TrainingRequestNotFoundError,
} from './training.errors';

const HOUR_MS = 3_600_000;
const ACTOR = systemActor('training');

/**
 * The owner of datasets and training_requests (a spec greps for other writers): datasets built
 * by a job, retrain findings turned into a dataset and a training request for the trainer, and
 * the trainer's artifact registered as a candidate that completes its request — each step in
 * the audit log, so dataset ↔ request ↔ candidate ↔ mutation can be followed either way.
 */
@Injectable()
export class TrainingService {
  private readonly logger = new Logger(TrainingService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly builder: DatasetBuilder,
    private readonly candidates: CandidatesService,
    private readonly audit: AuditLog,
    private readonly policies: PolicyStore,
    private readonly metrics: TrainingMetrics,
    @InjectQueue(QUEUES.training) private readonly queue: Queue<BuildDatasetJob | DeliverTrainingRequestJob>,
  ) {}

  /** A `building` dataset row, its build queued. */
  async createDataset(request: CreateDatasetRequest, actor: string): Promise<DatasetResponse> {
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.dataset.create({
        data: {
          agentId: request.agent_id,
          revisionId: request.revision_id ?? null,
          kind: request.kind,
          fromTime: new Date(request.from ?? 0),
          toTime: request.to ? new Date(request.to) : new Date(),
          params: this.builder.paramsNow() as unknown as Prisma.InputJsonValue,
          createdBy: actor,
        },
      });
      await this.audit.record(
        {
          actor,
          action: 'dataset.requested',
          entityType: 'dataset',
          entityId: created.id,
          agentId: created.agentId,
          details: { kind: created.kind, revision_id: created.revisionId, from: request.from, to: request.to },
        },
        tx,
      );
      return created;
    });
    await this.queue.add(JOBS.buildDataset, { dataset_id: row.id }, buildDatasetJobOptions(row.id));
    return datasetView(row);
  }

  async listDatasets(query: DatasetListQuery): Promise<DatasetListResponse> {
    const rows = await this.prisma.dataset.findMany({
      where: query.agent_id ? { agentId: query.agent_id } : {},
      orderBy: { id: 'desc' },
      take: query.limit,
    });
    return { items: rows.map(datasetView) };
  }

  async getDataset(id: string): Promise<DatasetResponse> {
    const row = await this.prisma.dataset.findUnique({ where: { id } });
    if (!row) throw new DatasetNotFoundError(id);
    return datasetView(row);
  }

  /** The file's path on disk, once the dataset is ready. */
  async datasetFile(id: string, file: DatasetFile): Promise<{ path: string; name: string; contentType: string }> {
    const row = await this.prisma.dataset.findUnique({ where: { id }, select: { status: true, location: true } });
    if (!row) throw new DatasetNotFoundError(id);
    if (row.status !== 'ready' || !row.location) throw new DatasetNotReadyError(id, row.status);
    const name = DATASET_FILES[file];
    return {
      path: join(this.builder.root, row.location, name),
      name,
      contentType: file === 'manifest' ? 'application/json' : 'application/x-ndjson',
    };
  }

  /**
   * The build job: builds, then hands its training request (if any) to the trainer — unless the
   * dataset has fewer train lines than `learning.datasets.min_train_lines` (feedback without
   * artifacts, say): then the dataset stays, with its manifest, and the request is `skipped`.
   * A failed build fails the request.
   */
  async buildQueued(job: BuildDatasetJob): Promise<DatasetManifest | undefined> {
    const requestId = job.training_request_id;
    const trigger = requestId ? 'retrain' : 'api';
    const started = performance.now();
    let manifest: DatasetManifest | undefined;
    try {
      manifest = await this.builder.build(job.dataset_id);
    } catch (error) {
      this.countBuild(trigger, 'failed', started);
      if (requestId) await this.failRequest(requestId, `dataset build failed: ${(error as Error).message}`);
      throw error;
    }
    if (manifest) {
      this.countBuild(trigger, 'ready', started);
      this.metrics.lines.inc({ split: 'train' }, manifest.counts.train);
      this.metrics.lines.inc({ split: 'validation' }, manifest.counts.validation);
    }
    if (!requestId) return manifest;
    // A retried job whose build already finished reads the manifest it wrote.
    const counts = manifest?.counts ?? (await this.readyManifest(job.dataset_id))?.counts;
    const minTrainLines = this.policies.current().policy.learning.datasets.min_train_lines;
    if (counts && counts.train < minTrainLines) {
      await this.skipRequest(requestId, counts, minTrainLines);
      return manifest;
    }
    await this.queue.add(
      JOBS.deliverTrainingRequest,
      { training_request_id: requestId },
      deliverTrainingJobOptions(requestId),
    );
    this.metrics.requests.inc({ outcome: 'requested' });
    return manifest;
  }

  private countBuild(trigger: string, outcome: string, started: number): void {
    this.metrics.datasetsBuilt.inc({ trigger, outcome });
    this.metrics.buildDuration.observe({ trigger, outcome }, (performance.now() - started) / 1000);
  }

  private async readyManifest(datasetId: string): Promise<DatasetManifest | undefined> {
    const row = await this.prisma.dataset.findUnique({ where: { id: datasetId }, select: { manifest: true } });
    return (row?.manifest as DatasetManifest | null) ?? undefined;
  }

  /** The request stays `skipped` (it still counts for the cooldown), audited with the dataset's counts. */
  private async skipRequest(
    requestId: string,
    counts: DatasetManifest['counts'],
    minTrainLines: number,
  ): Promise<void> {
    const skipped = await this.prisma.$transaction(async (tx) => {
      const reason = `the dataset has ${counts.train} train line(s), fewer than learning.datasets.min_train_lines (${minTrainLines}): ${counts.with_artifacts} of ${counts.scanned} event(s) carried artifacts {input, output}`;
      const { count } = await tx.trainingRequest.updateMany({
        where: { id: requestId, status: 'requested' },
        data: { status: 'skipped', lastError: reason },
      });
      if (count === 0) return undefined;
      const row = await tx.trainingRequest.findUniqueOrThrow({ where: { id: requestId } });
      await this.audit.record(
        {
          actor: ACTOR,
          action: 'training.skipped',
          entityType: 'training_request',
          entityId: requestId,
          agentId: row.agentId,
          reason,
          details: { dataset_id: row.datasetId, counts, min_train_lines: minTrainLines },
        },
        tx,
      );
      return row.agentId;
    });
    if (!skipped) return;
    this.metrics.requests.inc({ outcome: 'skipped' });
    this.logger.log(`training request ${requestId} for ${skipped} skipped: ${counts.train} train line(s)`);
  }

  /**
   * A retrain finding → a training request (once per finding, and not within the retrain
   * cooldown of the agent's last request): an sft dataset of the feedback since the agent's
   * last dataset, built by a job and then delivered to the trainer. Answers the request id, or
   * undefined when it was not made.
   */
  async request(finding: Finding): Promise<string | undefined> {
    if (finding.type !== 'retrain_trigger') return undefined;
    const cooldownMs = this.policies.current().policy.thresholds.retrain.cooldown_hours * HOUR_MS;
    const made = await this.prisma.$transaction(async (tx) => {
      // One request per agent at a time: the advisory lock orders two replicas' ticks.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`training:${finding.agent_id}`}))`;
      const earlier = await tx.trainingRequest.findFirst({
        where: {
          agentId: finding.agent_id,
          OR: [{ findingId: finding.finding_id }, { createdAt: { gte: new Date(Date.now() - cooldownMs) } }],
        },
        select: { id: true },
      });
      if (earlier) return undefined;
      const previous = await tx.dataset.findFirst({
        // A skipped request's dataset went to no trainer: the next one covers its window again.
        where: {
          agentId: finding.agent_id,
          kind: 'sft',
          status: 'ready',
          trainingRequests: { some: { status: { not: 'skipped' } } },
        },
        orderBy: { toTime: 'desc' },
        select: { toTime: true },
      });
      const trigger = finding.evidence['reason'];
      const reason = typeof trigger === 'string' ? trigger : 'retrain_trigger';
      const dataset = await tx.dataset.create({
        data: {
          agentId: finding.agent_id,
          kind: 'sft',
          fromTime: previous?.toTime ?? new Date(0),
          toTime: new Date(),
          params: this.builder.paramsNow() as unknown as Prisma.InputJsonValue,
          createdBy: ACTOR,
        },
      });
      const request = await tx.trainingRequest.create({
        data: { agentId: finding.agent_id, datasetId: dataset.id, reason, findingId: finding.finding_id },
      });
      await this.audit.record(
        {
          actor: ACTOR,
          action: 'training.requested',
          entityType: 'training_request',
          entityId: request.id,
          agentId: finding.agent_id,
          reason: finding.summary,
          details: { dataset_id: dataset.id, finding_id: finding.finding_id, trigger: reason },
        },
        tx,
      );
      return { requestId: request.id, datasetId: dataset.id };
    });
    if (!made) return undefined;
    await this.queue.add(
      JOBS.buildDataset,
      { dataset_id: made.datasetId, training_request_id: made.requestId },
      buildDatasetJobOptions(made.datasetId),
    );
    this.logger.log(`training request ${made.requestId} for ${finding.agent_id} (${finding.summary})`);
    return made.requestId;
  }

  /** Every retrain finding of the tick gets its request; one agent's failure never stops the others or the tick. */
  async requestAll(findings: readonly Finding[]): Promise<void> {
    for (const finding of findings.filter((f) => f.type === 'retrain_trigger')) {
      await this.request(finding).catch((error: Error) =>
        this.logger.warn(`training request for ${finding.agent_id} not made: ${error.message}`),
      );
    }
  }

  /** What the delivery job sends, read fresh from Postgres. */
  async deliveryOf(requestId: string): Promise<{ request: TrainingRequest; dataset: Dataset } | undefined> {
    const request = await this.prisma.trainingRequest.findUnique({
      where: { id: requestId },
      include: { dataset: true },
    });
    if (!request) return undefined;
    const { dataset, ...rest } = request;
    return { request: rest, dataset };
  }

  async markDelivered(requestId: string, attempts: number, channels: string[]): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.trainingRequest.updateMany({
        where: { id: requestId, status: { in: ['requested', 'failed'] } },
        data: { status: 'delivered', attempts, deliveredAt: new Date(), lastError: null },
      });
      if (count === 0) return;
      const row = await tx.trainingRequest.findUniqueOrThrow({ where: { id: requestId } });
      await this.audit.record(
        {
          actor: ACTOR,
          action: 'training.delivered',
          entityType: 'training_request',
          entityId: requestId,
          agentId: row.agentId,
          details: { dataset_id: row.datasetId, attempts, channels },
        },
        tx,
      );
    });
  }

  async recordAttemptFailed(requestId: string, attempts: number, error: string, final: boolean): Promise<void> {
    if (final) return this.failRequest(requestId, error, attempts);
    await this.prisma.trainingRequest.updateMany({
      where: { id: requestId, status: 'requested' },
      data: { attempts, lastError: error.slice(0, 2_000) },
    });
  }

  private async failRequest(requestId: string, error: string, attempts?: number): Promise<void> {
    const failed = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.trainingRequest.updateMany({
        where: { id: requestId, status: 'requested' },
        data: { status: 'failed', lastError: error.slice(0, 2_000), ...(attempts !== undefined && { attempts }) },
      });
      if (count === 0) return false;
      const row = await tx.trainingRequest.findUniqueOrThrow({ where: { id: requestId } });
      await this.audit.record(
        {
          actor: ACTOR,
          action: 'training.failed',
          entityType: 'training_request',
          entityId: requestId,
          agentId: row.agentId,
          reason: error.slice(0, 500),
          details: { dataset_id: row.datasetId, attempts: row.attempts },
        },
        tx,
      );
      return true;
    });
    if (failed) this.metrics.requests.inc({ outcome: 'failed' });
  }

  /**
   * `POST /agents/{id}/candidates`: the registry registers the candidate; with a
   * `training_request_id` in the same transaction the request (of this agent, not answered yet)
   * is completed and audited, linking request → candidate.
   */
  async registerCandidate(agentId: string, body: CandidateRegistration, actor: string): Promise<CandidateResponse> {
    const { training_request_id: requestId, ...spec } = body;
    if (!requestId) return this.candidates.addCandidate(agentId, spec);
    const registered = await this.prisma.$transaction(async (tx) => {
      const request = await tx.trainingRequest.findUnique({ where: { id: requestId } });
      if (!request) throw new TrainingRequestNotFoundError(requestId);
      if (request.agentId !== agentId)
        throw new TrainingRequestMismatchError(
          `training request "${requestId}" is for agent "${request.agentId}", not "${agentId}"`,
        );
      const candidate = await this.candidates.addCandidate(agentId, spec, { trainingRequestId: requestId, db: tx });
      await tx.trainingRequest.update({
        where: { id: requestId },
        data: { status: 'completed', completedAt: new Date() },
      });
      await this.audit.record(
        {
          actor,
          action: 'training.completed',
          entityType: 'training_request',
          entityId: requestId,
          agentId,
          details: {
            dataset_id: request.datasetId,
            candidate_id: candidate.candidate_id,
            candidate_type: spec.type,
            candidate_key: candidateKey(spec),
            finding_id: request.findingId,
          },
        },
        tx,
      );
      return candidate;
    });
    this.metrics.requests.inc({ outcome: 'completed' });
    return registered;
  }

  /** The chain of one request: its dataset, the candidate it produced, the mutations and rollouts of that candidate, the audit. */
  async chain(requestId: string): Promise<TrainingChainResponse> {
    const request = await this.prisma.trainingRequest.findUnique({
      where: { id: requestId },
      include: { dataset: true, candidate: true },
    });
    if (!request) throw new TrainingRequestNotFoundError(requestId);
    const { dataset, candidate } = request;
    const mutations = candidate
      ? await this.prisma.$queryRaw<
          Array<{
            mutation_id: string;
            plan_id: string;
            type: string;
            status: string;
            rollout_id: string | null;
            rollout_status: string | null;
          }>
        >`SELECT m.id::text AS mutation_id, m.plan_id::text AS plan_id, m.type::text AS type, m.status::text AS status,
                 r.id::text AS rollout_id, r.status::text AS rollout_status
          FROM mutations m LEFT JOIN rollouts r ON r.mutation_id = m.id
          WHERE m.agent_id = ${request.agentId}
            AND (m.params->>'adapter_id' = ${candidate.key} OR m.params->>'model' = ${candidate.key})
          ORDER BY m.created_at, r.created_at`
      : [];
    const entities = [
      { entityType: 'training_request', entityId: request.id },
      { entityType: 'dataset', entityId: dataset.id },
      ...mutations.map((m) => ({ entityType: 'plan', entityId: m.plan_id })),
      ...mutations.flatMap((m) => (m.rollout_id ? [{ entityType: 'rollout', entityId: m.rollout_id }] : [])),
    ];
    const audit = await this.prisma.auditEntry.findMany({ where: { OR: entities }, orderBy: { id: 'asc' } });
    return {
      training_request: requestView(request),
      dataset: datasetView(dataset),
      candidate: candidate && {
        candidate_id: candidate.id,
        type: candidate.type,
        key: candidate.key,
        created_at: candidate.createdAt.toISOString(),
      },
      mutations,
      audit: audit.map((a) => ({
        id: a.id.toString(),
        at: a.at.toISOString(),
        actor: a.actor,
        action: a.action,
        entity_type: a.entityType,
        entity_id: a.entityId,
        agent_id: a.agentId,
        reason: a.reason,
        details: a.details ?? null,
      })),
    };
  }
}

export function datasetView(row: Dataset): DatasetResponse {
  return {
    dataset_id: row.id,
    agent_id: row.agentId,
    revision_id: row.revisionId,
    kind: row.kind,
    status: row.status,
    from: row.fromTime.toISOString(),
    to: row.toTime.toISOString(),
    params: row.params as Record<string, unknown>,
    manifest: (row.manifest as DatasetManifest | null) ?? null,
    location: row.location,
    error: row.error,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    completed_at: row.completedAt?.toISOString() ?? null,
  };
}

export function requestView(row: TrainingRequest): TrainingRequestView {
  return {
    training_request_id: row.id,
    agent_id: row.agentId,
    dataset_id: row.datasetId,
    reason: row.reason,
    finding_id: row.findingId,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    delivered_at: row.deliveredAt?.toISOString() ?? null,
    completed_at: row.completedAt?.toISOString() ?? null,
  };
}
