import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import {
  EXAMPLES_CHANGED,
  type Envelope,
  type ExamplesChangedMessage,
  type StoredFeedbackEvent,
} from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { judgeEvent, type Embedder, type Judgement } from '@metaloop/examples';
import { NatsEventsClient } from '@metaloop/messaging';
import { PolicyStore, type LearningPolicy, type QualityMetric } from '@metaloop/policies';
import { lastValueFrom } from 'rxjs';
import { AfterIngestQueue } from '../../common/after-ingest-queue';
import { errorSummary } from '../../common/error-summary';
import {
  DELETE_SUBJECT_EXAMPLES,
  DEMOTE_EXAMPLES,
  ENFORCE_CAP,
  LOCK_FOR_ERASURE,
  LOCK_FOR_SUBJECT_WRITES,
  MARK_DEMOTION,
  PURGE_EXPIRED,
  PURGE_EXPIRED_DEMOTIONS,
  STILL_NAMED,
  UPSERT_EXAMPLE,
} from './examples.sql';
import { ExamplesMetrics } from './examples.metrics';

/** The Nest token of the app's embedder (examples.module builds it from the env). */
export const EMBEDDER = Symbol('EMBEDDER');

/** Events waiting to be looked at; beyond it ingest's events are dropped for examples (counted), never held. */
const MAX_QUEUED_EVENTS = 50_000;
const EVENTS_PER_RUN = 1_000;
const METRIC_DEFINITIONS_TTL_MS = 30_000;
const DAY_MS = 86_400_000;

type Tx = Pick<PrismaService, '$queryRawUnsafe'>;

/**
 * The only writer of `examples` (DICL, seed 000). Ingest hands it each committed batch; it never
 * makes ingest wait or fail: events are queued and worked through in the background, and a
 * failure (the embedder down, Postgres refusing) is logged and counted while the events stay
 * stored. Per agent, in the order the events happened: good feedback with artifacts becomes an
 * example (one per content), a correction an example of the corrected output, a complaint or
 * correction demotes the session's earlier examples and is remembered, so that a good event of
 * that session arriving later (another batch, out of order) is stored demoted: both orders end
 * the same. Then the per-agent cap is enforced and `examples.changed` tells feedback-api to refresh.
 */
@Injectable()
export class ExamplesService implements OnApplicationShutdown {
  private readonly logger = new Logger(ExamplesService.name);
  private readonly queue: AfterIngestQueue;
  private metricDefinitions?: { loadedAt: number; byName: Map<string, QualityMetric> };

  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly events: NatsEventsClient,
    private readonly metrics: ExamplesMetrics,
    @Inject(EMBEDDER) private readonly embedder: Embedder,
  ) {
    this.queue = new AfterIngestQueue({
      what: 'examples',
      failedVerb: 'derived',
      maxQueued: MAX_QUEUED_EVENTS,
      perRun: EVENTS_PER_RUN,
      accepts: mayTouchExamples,
      work: (events) => this.fromBatch(events),
      metrics,
      logger: this.logger,
    });
  }

  onApplicationShutdown(): void {
    this.queue.stop();
  }

  /** After ingest committed `envelopes`: queues the feedback events that may touch examples. Never waits, never throws. */
  offer(envelopes: readonly Envelope[]): void {
    this.queue.offer(envelopes);
  }

  /** Resolves once every offered event has been looked at (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.queue.idle();
  }

  /** Derives, writes and announces the examples of a batch of stored feedback events. */
  async fromBatch(events: readonly StoredFeedbackEvent[]): Promise<void> {
    const policy = this.policies.current().policy.learning;
    const definitions = await this.qualityMetrics();
    const byAgent = new Map<string, StoredFeedbackEvent[]>();
    for (const event of events) {
      const agentEvents = byAgent.get(event.agent_id);
      if (agentEvents) agentEvents.push(event);
      else byAgent.set(event.agent_id, [event]);
    }
    for (const [agentId, agentEvents] of byAgent) {
      agentEvents.sort((a, b) => occurredAt(a).localeCompare(occurredAt(b)));
      const judged = agentEvents.map((event) => ({ event, judgement: judgeEvent(event, policy, definitions) }));
      await this.writeAgent(agentId, judged, policy);
    }
  }

  /** Deletes examples feedback has not renewed for the policy's retention_days; answers how many. */
  async purgeExpired(chunkRows: number, now = Date.now()): Promise<number> {
    const days = this.policies.current().policy.learning.examples.retention_days;
    const cutoff = new Date(now - days * DAY_MS).toISOString();
    const agents = new Set<string>();
    let total = 0;
    for (;;) {
      const rows = await this.prisma.$queryRawUnsafe<Array<{ agent_id: string }>>(PURGE_EXPIRED, cutoff, chunkRows);
      rows.forEach((row) => agents.add(row.agent_id));
      total += rows.length;
      if (rows.length < chunkRows || this.queue.stopping) break;
    }
    while (!this.queue.stopping) {
      const marks = await this.prisma.$executeRawUnsafe(PURGE_EXPIRED_DEMOTIONS, cutoff, chunkRows);
      if (marks < chunkRows) break;
    }
    this.metrics.writes.inc({ outcome: 'expired' }, total);
    for (const agentId of agents) await this.announce({ agent_id: agentId, removed: true });
    return total;
  }

  /**
   * Part of a subject's erasure (operator/subjects, inside its transaction under the subject's lock,
   * before the subject's events are scrubbed): deletes the examples made from the subject's events.
   * Answers how many and of which agents; announce them with `announceRemoved` once that commits.
   */
  async deleteOfSubject(tx: Tx, subjectId: string): Promise<{ deleted: number; agentIds: string[] }> {
    await tx.$queryRawUnsafe(LOCK_FOR_ERASURE);
    const rows = await tx.$queryRawUnsafe<Array<{ agent_id: string }>>(DELETE_SUBJECT_EXAMPLES, subjectId);
    this.metrics.writes.inc({ outcome: 'erased' }, rows.length);
    return { deleted: rows.length, agentIds: [...new Set(rows.map((row) => row.agent_id))] };
  }

  /** After examples were deleted: feedback-api reloads those agents' examples in full (best effort). */
  async announceRemoved(agentIds: readonly string[]): Promise<void> {
    for (const agentId of agentIds) await this.announce({ agent_id: agentId, removed: true });
  }

  private async writeAgent(
    agentId: string,
    judged: Array<{ event: StoredFeedbackEvent; judgement: Judgement }>,
    policy: LearningPolicy,
  ): Promise<void> {
    const vectors = await this.embedInputs(judged.map((j) => j.judgement));
    let changed = 0;
    let capped = 0;
    await this.prisma.$transaction(async (tx) => {
      const erased = await this.erasedSubjectEvents(tx, judged);
      for (const { event, judgement } of judged) {
        const { example, demotion } = judgement;
        // A correction's own example is written after it demotes the answer it corrects.
        if (demotion) {
          await tx.$executeRawUnsafe(MARK_DEMOTION, agentId, demotion.sessionId, demotion.inferenceId, demotion.reason);
          const demoted = await tx.$executeRawUnsafe(
            DEMOTE_EXAMPLES,
            agentId,
            demotion.sessionId,
            demotion.inferenceId,
            demotion.reason,
          );
          this.metrics.writes.inc({ outcome: 'demotion' }, demoted);
          changed += demoted;
        }
        const vector = example && vectors?.get(example.input);
        if (!example || !vector || erased.has(event.event_id)) continue;
        const written = await tx.$queryRawUnsafe<Array<{ demoted: boolean }>>(
          UPSERT_EXAMPLE,
          uuidv7(),
          agentId,
          example.source === 'correction' ? '' : (event.revision_id ?? ''),
          event.event_id,
          event.session_id,
          event.inference_id ?? null,
          example.source,
          example.input,
          example.output,
          example.quality,
          example.contentHash,
          `{${Array.from(vector).join(',')}}`,
          this.embedder.name,
        );
        if (written.length > 0)
          this.metrics.writes.inc({ outcome: example.source === 'correction' ? 'correction' : 'example' });
        if (written[0]?.demoted) this.metrics.writes.inc({ outcome: 'demotion' });
        changed += written.length;
      }
      capped = await tx.$executeRawUnsafe(ENFORCE_CAP, agentId, policy.examples.max_per_agent);
    });
    this.metrics.writes.inc({ outcome: 'capped' }, capped);
    if (changed + capped > 0) await this.announce({ agent_id: agentId, removed: capped > 0 });
  }

  /**
   * The events of the batch that carried a subject whose data has been erased since (the stored row
   * no longer names it): still queued here when the erasure ran, they become no example. Taken first
   * in the transaction: the lock makes an erasure in progress finish before the rows are read.
   */
  private async erasedSubjectEvents(
    tx: Tx,
    judged: ReadonlyArray<{ event: StoredFeedbackEvent; judgement: Judgement }>,
  ): Promise<Set<string>> {
    const ids = judged.flatMap(({ event, judgement }) =>
      event.subject_id && judgement.example ? [event.event_id] : [],
    );
    if (ids.length === 0) return new Set();
    await tx.$queryRawUnsafe(LOCK_FOR_SUBJECT_WRITES);
    const named = await tx.$queryRawUnsafe<Array<{ event_id: string }>>(STILL_NAMED, ids);
    const still = new Set(named.map((row) => row.event_id));
    return new Set(ids.filter((id) => !still.has(id)));
  }

  /** The vector of every example input, or undefined when the embedder failed (demotions still happen). */
  private async embedInputs(judgements: readonly Judgement[]): Promise<Map<string, Float32Array> | undefined> {
    const inputs = [...new Set(judgements.flatMap((j) => (j.example ? [j.example.input] : [])))];
    if (inputs.length === 0) return new Map();
    try {
      const vectors = await this.embedder.embed(inputs);
      return new Map(inputs.map((input, i) => [input, vectors[i]!]));
    } catch (error) {
      this.metrics.failures.inc({ stage: 'embed' });
      this.logger.warn(`${inputs.length} example inputs not embedded (${this.embedder.name}): ${errorSummary(error)}`);
      return undefined;
    }
  }

  private async qualityMetrics(): Promise<Map<string, QualityMetric>> {
    const cached = this.metricDefinitions;
    if (cached && Date.now() - cached.loadedAt < METRIC_DEFINITIONS_TTL_MS) return cached.byName;
    const rows = await this.prisma.metricDefinition.findMany({ select: { name: true, type: true, optimize: true } });
    const byName = new Map(rows.map((row) => [row.name, { type: row.type, optimize: row.optimize } as QualityMetric]));
    this.metricDefinitions = { loadedAt: Date.now(), byName };
    return byName;
  }

  /** Best effort: feedback-api also reloads an agent's examples on its own every EXAMPLES_RESYNC_MS. */
  private async announce(message: ExamplesChangedMessage): Promise<void> {
    try {
      await lastValueFrom(this.events.emit(EXAMPLES_CHANGED, message), { defaultValue: undefined });
    } catch (error) {
      this.logger.warn(`examples.changed for ${message.agent_id} not published (${(error as Error).message})`);
    }
  }
}

function mayTouchExamples(event: StoredFeedbackEvent): boolean {
  return Boolean(event.artifacts?.input || event.explicit?.complaint || event.explicit?.correction);
}

function occurredAt(event: StoredFeedbackEvent): string {
  return event.timestamp ?? event.received_at;
}
