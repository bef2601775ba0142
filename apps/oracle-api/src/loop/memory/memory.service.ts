import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { SUBJECT_MEMORY_CHANGED, type Envelope, type StoredFeedbackEvent } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import {
  itemsToPrune,
  learnFromInteraction,
  parseSelection,
  registeredFacets,
  validateModelDeltas,
  type Facets,
  type Interaction,
  type StoredItem,
} from '@metaloop/memory';
import { NatsEventsClient } from '@metaloop/messaging';
import { PolicyStore, type MemoryPolicy } from '@metaloop/policies';
import { lastValueFrom } from 'rxjs';
import { AfterIngestQueue } from '../../common/after-ingest-queue';
import { errorSummary } from '../../common/error-summary';
import {
  DELETE_ITEMS,
  INSERT_HISTORY,
  INSERT_ITEM,
  INSERT_PERSONA_UPDATE,
  INSERT_SELECTION_LOG,
  LOCK_SUBJECT,
  PURGE_EXPIRED_HISTORY,
  SELECT_FACETS,
  SELECT_ITEMS,
  STILL_NAMED,
  UPDATE_ITEM,
  UPSERT_FACETS,
} from './memory.sql';
import { MemoryMetrics } from './memory.metrics';
import { PERSONA_MODEL, type PersonaModel } from './persona-model';

/** Events waiting to be learned from; beyond it ingest's events are dropped for memory (counted), never held. */
const MAX_QUEUED_EVENTS = 50_000;
const EVENTS_PER_RUN = 1_000;
const PURGE_EVERY_MS = 3_600_000;
const PURGE_CHUNK_ROWS = 10_000;
const DAY_MS = 86_400_000;
/** Subject ids per subject.memory.changed message. */
const IDS_PER_MESSAGE = 500;

type Tx = Pick<PrismaService, '$queryRawUnsafe' | '$executeRawUnsafe'>;

/**
 * The only writer of per-subject memory (seed 002): subject_memory_items, subject_facets,
 * subject_selection_logs and subject_persona_updates. Ingest hands it each committed batch; it
 * never makes ingest wait or fail: events with a subject_id are queued and learned from in the
 * background, per subject in the order they happened, one transaction per subject (locked
 * across replicas). A redelivered event is learned from once (its HISTORY item is the marker).
 */
@Injectable()
export class MemoryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MemoryService.name);
  private readonly queue: AfterIngestQueue;
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PolicyStore,
    private readonly metrics: MemoryMetrics,
    private readonly events: NatsEventsClient,
    @Optional() @Inject(PERSONA_MODEL) private readonly model?: PersonaModel,
  ) {
    this.queue = new AfterIngestQueue({
      what: 'subject memory',
      failedVerb: 'updated',
      maxQueued: MAX_QUEUED_EVENTS,
      perRun: EVENTS_PER_RUN,
      enabled: () => this.policies.current().policy.memory.enabled,
      accepts: (event) => Boolean(event.subject_id),
      work: (events) => this.fromBatch(events),
      metrics,
      logger: this.logger,
    });
  }

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purgeExpiredHistory().catch(() => undefined), PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  onApplicationShutdown(): void {
    this.queue.stop();
    clearInterval(this.purgeTimer);
  }

  /** After ingest committed `envelopes`: queues the feedback events that carry a subject. Never waits, never throws. */
  offer(envelopes: readonly Envelope[]): void {
    this.queue.offer(envelopes);
  }

  /** Resolves once every offered event has been learned from (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.queue.idle();
  }

  /** Learns from a batch of stored feedback events: per subject, in the order they happened. */
  async fromBatch(events: readonly StoredFeedbackEvent[]): Promise<void> {
    const policy = this.policies.current().policy.memory;
    const bySubject = new Map<string, StoredFeedbackEvent[]>();
    for (const event of events) {
      if (!event.subject_id) continue;
      const list = bySubject.get(event.subject_id);
      if (list) list.push(event);
      else bySubject.set(event.subject_id, [event]);
    }
    const changed: string[] = [];
    for (const [subjectId, subjectEvents] of bySubject) {
      subjectEvents.sort((a, b) => occurredAt(a).localeCompare(occurredAt(b)));
      try {
        await this.learnSubject(subjectId, subjectEvents, policy);
        changed.push(subjectId);
      } catch (error) {
        this.metrics.failures.inc({ stage: 'write' });
        this.logger.warn(`memory of a subject not updated (${subjectEvents.length} events): ${errorSummary(error)}`);
      }
    }
    for (let i = 0; i < changed.length; i += IDS_PER_MESSAGE)
      await this.announce(changed.slice(i, i + IDS_PER_MESSAGE));
  }

  /** Best effort: feedback-api's cached context of a subject also expires on its own (SUBJECT_CONTEXT_CACHE_MS). */
  async announce(subjectIds: string[]): Promise<void> {
    try {
      await lastValueFrom(this.events.emit(SUBJECT_MEMORY_CHANGED, { subject_ids: subjectIds }), {
        defaultValue: undefined,
      });
    } catch (error) {
      this.logger.warn(`subject.memory.changed not published (${(error as Error).message})`);
    }
  }

  private async learnSubject(subjectId: string, events: StoredFeedbackEvent[], policy: MemoryPolicy): Promise<void> {
    const interactions = events.map(interactionOf);
    // The model is asked outside the transaction (no network call while the subject is locked).
    const proposals = this.model ? await this.askModel(subjectId, interactions, policy) : new Map<string, Facets>();
    await this.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(LOCK_SUBJECT, subjectId);
      const named = await tx.$queryRawUnsafe<Array<{ event_id: string }>>(
        STILL_NAMED,
        events.map((e) => e.event_id),
        subjectId,
      );
      const stillNamed = new Set(named.map((row) => row.event_id));
      for (const [i, interaction] of interactions.entries()) {
        if (!stillNamed.has(interaction.eventId)) continue;
        await this.learnOne(tx, subjectId, events[i]!, interaction, policy, proposals.get(interaction.eventId));
      }
      const items = await tx.$queryRawUnsafe<StoredItem[]>(SELECT_ITEMS, subjectId);
      const pruned = itemsToPrune(items, policy, new Date());
      if (pruned.length > 0) {
        await tx.$executeRawUnsafe(DELETE_ITEMS, pruned);
        this.metrics.writes.inc({ outcome: 'pruned' }, pruned.length);
      }
    });
  }

  private async learnOne(
    tx: Tx,
    subjectId: string,
    event: StoredFeedbackEvent,
    interaction: Interaction,
    policy: MemoryPolicy,
    modelDeltas: Facets | undefined,
  ): Promise<void> {
    const at = occurredAt(event);
    const items = await tx.$queryRawUnsafe<StoredItem[]>(SELECT_ITEMS, subjectId);
    const facetRows = await tx.$queryRawUnsafe<Array<{ name: string; value: number }>>(SELECT_FACETS, subjectId);
    const facets = Object.fromEntries(facetRows.map((row) => [row.name, row.value]));
    const state = { items, facets, interactionCount: items.filter((item) => item.kind === 'HISTORY').length };
    const learning = learnFromInteraction(interaction, state, policy, new Date(at), modelDeltas);
    const { history } = learning;
    const inserted = await tx.$queryRawUnsafe<unknown[]>(
      INSERT_HISTORY,
      uuidv7(),
      subjectId,
      event.agent_id,
      history.text,
      history.key,
      history.tags,
      at,
    );
    if (inserted.length === 0) {
      this.metrics.writes.inc({ outcome: 'duplicate' });
      return;
    }
    this.metrics.writes.inc({ outcome: 'interaction' });
    for (const write of learning.writes) {
      const { item } = write;
      if (write.op === 'insert')
        await tx.$executeRawUnsafe(
          INSERT_ITEM,
          uuidv7(),
          subjectId,
          event.agent_id,
          item.kind,
          item.text,
          item.key,
          item.weight,
          item.confidence,
          item.tags,
          event.event_id,
          at,
        );
      else
        await tx.$executeRawUnsafe(
          UPDATE_ITEM,
          write.id,
          item.text,
          item.key,
          item.weight,
          item.confidence,
          item.tags,
          event.agent_id,
          event.event_id,
          at,
        );
      this.metrics.writes.inc({ outcome: item.kind === 'GOAL' ? 'goal' : 'preference' });
    }
    const facetsNow = learning.persona?.newFacets ?? registeredFacets(facets, policy, event.agent_id);
    if (learning.persona || facetRows.length === 0) {
      const names = Object.keys(facetsNow);
      await tx.$executeRawUnsafe(
        UPSERT_FACETS,
        subjectId,
        names,
        names.map((n) => facetsNow[n]!),
        at,
      );
    }
    if (learning.persona) {
      const { oldFacets, newFacets, deltas } = learning.persona;
      const signals = {
        ...(interaction.selection
          ? {
              selected_hypothesis_id: interaction.selection.selected.id,
              selected_index: interaction.selection.selectedIndex,
            }
          : {}),
        success: interaction.positive,
        signals: learning.signals,
        ...(modelDeltas ? { model_deltas: modelDeltas } : {}),
      };
      await tx.$executeRawUnsafe(
        INSERT_PERSONA_UPDATE,
        uuidv7(),
        event.event_id,
        subjectId,
        event.agent_id,
        JSON.stringify(oldFacets),
        JSON.stringify(newFacets),
        JSON.stringify(deltas),
        JSON.stringify(signals),
        modelDeltas ? 'model' : 'rules',
        at,
      );
      this.metrics.writes.inc({ outcome: 'persona_update' });
    }
    if (learning.selectionLog) {
      const log = learning.selectionLog;
      await tx.$executeRawUnsafe(
        INSERT_SELECTION_LOG,
        uuidv7(),
        event.event_id,
        subjectId,
        event.agent_id,
        event.session_id,
        interaction.userInput ?? null,
        JSON.stringify(log.context),
        JSON.stringify(log.hypotheses),
        log.selected_id,
        log.label,
        at,
      );
    }
  }

  /** The model's validated (registered facets only) and clamped deltas per event; a failure only means none. */
  private async askModel(
    subjectId: string,
    interactions: readonly Interaction[],
    policy: MemoryPolicy,
  ): Promise<Map<string, Facets>> {
    const proposals = new Map<string, Facets>();
    const rows = await this.prisma.$queryRawUnsafe<Array<{ name: string; value: number }>>(SELECT_FACETS, subjectId);
    for (const interaction of interactions) {
      if (!interaction.selection) continue;
      const facets = registeredFacets(
        Object.fromEntries(rows.map((r) => [r.name, r.value])),
        policy,
        interaction.agentId,
      );
      try {
        const raw = await this.model!.propose({
          facets,
          selection: interaction.selection,
          userInput: interaction.userInput,
          signals: [interaction.selection.selectedIndex === 0 ? 'first_option' : 'later_option'],
        });
        const deltas = validateModelDeltas(raw, facets, policy.max_delta);
        this.metrics.model.inc({ outcome: deltas ? 'applied' : 'rejected' });
        if (deltas) proposals.set(interaction.eventId, deltas);
        else this.logger.warn(`persona model proposal rejected: ${JSON.stringify(raw).slice(0, 200)}`);
      } catch (error) {
        this.metrics.model.inc({ outcome: 'failed' });
        this.logger.warn(`persona model did not answer (${errorSummary(error)}); the rules alone apply`);
      }
    }
    return proposals;
  }

  /** Deletes HISTORY past the policy's retention for every subject (those who came back were pruned as they did). */
  async purgeExpiredHistory(now = Date.now()): Promise<number> {
    const days = this.policies.current().policy.memory.history_retention_days;
    const cutoff = new Date(now - days * DAY_MS).toISOString();
    let total = 0;
    for (;;) {
      const deleted = await this.prisma.$executeRawUnsafe(PURGE_EXPIRED_HISTORY, cutoff, PURGE_CHUNK_ROWS);
      total += deleted;
      if (deleted < PURGE_CHUNK_ROWS || this.queue.stopping) break;
    }
    this.metrics.writes.inc({ outcome: 'pruned' }, total);
    return total;
  }
}

function occurredAt(event: StoredFeedbackEvent): string {
  return event.timestamp ?? event.received_at;
}

/** What memory reads of a stored feedback event. */
export function interactionOf(event: StoredFeedbackEvent): Interaction {
  const explicit = event.explicit;
  const selection = parseSelection(explicit?.selection);
  const complaintGiven = Boolean(explicit?.complaint || explicit?.correction);
  const positive =
    !complaintGiven &&
    ((explicit?.rating !== undefined && explicit.rating >= 4) ||
      explicit?.helpful === true ||
      event.implicit?.success === true);
  // The seed's selection log names the user's input; artifacts.input is where metaloop's feedback carries it.
  const selectionInput = (explicit?.selection as { user_input?: unknown } | undefined)?.user_input;
  const userInput = event.artifacts?.input ?? (typeof selectionInput === 'string' ? selectionInput : undefined);
  return {
    eventId: event.event_id,
    agentId: event.agent_id,
    userInput,
    output: event.artifacts?.output,
    selection,
    rating: explicit?.rating,
    helpful: explicit?.helpful,
    complaint: explicit?.complaint,
    complaintGiven,
    positive,
  };
}
