import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamContext } from '@metaloop/messaging';
import { NatsService, NatsUnavailableError } from '@metaloop/messaging';
import { DistinctWarnings } from '@metaloop/observability';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Env } from '../../config/env.schema';
import { errorSummary } from '../../common/error-summary';
import { ensureConsumer, ingestConsumer } from './ensure-consumer';
import { IngestService } from './ingest.service';

/** After the first message, the rest of a batch is only what is already waiting: no long wait. */
const REST_OF_BATCH_EXPIRES_MS = 1_000;
const MAX_ERROR_PAUSE_MS = 2_000;

/**
 * The fetch loops of the durable pull consumer `oracle-ingest`. They wait for NATS, (re)create
 * the consumer on every new connection, and never let an error out: they pause and try
 * again. INGEST_CONCURRENCY loops run at once, so one batch is being prepared here while
 * Postgres commits another (a single loop leaves one of the two idle at any moment). On
 * shutdown each finishes the batch in hand before the connections close.
 */
@Injectable()
export class IngestConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(IngestConsumer.name);
  private readonly batchMax: number;
  private readonly batchMaxBytes: number;
  private readonly expiresMs: number;
  private readonly maxDeliver: number;
  private readonly ackWaitMs: number;
  private readonly concurrency: number;
  private readonly stop = new AbortController();
  private loops: Array<Promise<void>> = [];
  /** Fetches waiting for work; stopped at shutdown so the loops need not sit out their expiry. */
  private readonly waiting = new Set<ConsumerMessages>();
  /** Connections get a new JetStream context after each reconnect: that is when to re-ensure. */
  private ensuredFor?: JetStreamContext;
  private consumer?: Consumer;
  private ensuring?: Promise<Consumer>;
  private readonly problems = new DistinctWarnings(this.logger);

  constructor(
    private readonly nats: NatsService,
    private readonly ingest: IngestService,
    config: ConfigService<Env, true>,
  ) {
    this.batchMax = config.get('INGEST_BATCH_MAX', { infer: true });
    this.batchMaxBytes = config.get('INGEST_BATCH_MAX_BYTES', { infer: true });
    this.expiresMs = config.get('INGEST_FETCH_EXPIRES_MS', { infer: true });
    this.maxDeliver = config.get('INGEST_MAX_DELIVER', { infer: true });
    this.ackWaitMs = config.get('INGEST_ACK_WAIT_MS', { infer: true });
    this.concurrency = config.get('INGEST_CONCURRENCY', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.loops = Array.from({ length: this.concurrency }, () => this.run());
  }

  /** onModuleDestroy runs before any connection closes, so the batch in hand can still commit and ack. */
  async onModuleDestroy(): Promise<void> {
    this.stop.abort();
    for (const messages of this.waiting) messages.stop();
    await Promise.all(this.loops);
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    let pause = 100;
    while (!signal.aborted) {
      try {
        const consumer = await this.ready();
        const batch = await this.fetchBatch(consumer);
        if (batch.length > 0) await this.ingest.process(batch, signal);
        this.recovered();
        pause = 100;
      } catch (error) {
        if (signal.aborted) break;
        // Whatever went wrong (NATS away, consumer deleted, stream recreated): start over.
        this.ensuredFor = undefined;
        this.problem(error);
        await sleep(pause, undefined, { signal }).catch(() => undefined);
        pause = Math.min(pause * 2, MAX_ERROR_PAUSE_MS);
      }
    }
  }

  private async ready(): Promise<Consumer> {
    const ctx = this.nats.context();
    if (this.ensuredFor === ctx && this.consumer) return this.consumer;
    // The loops share one (re)creation of the consumer.
    this.ensuring ??= this.ensure(ctx).finally(() => (this.ensuring = undefined));
    return this.ensuring;
  }

  private async ensure(ctx: JetStreamContext): Promise<Consumer> {
    const { stream, durable, config } = ingestConsumer(ctx.topology);
    // max_deliver must be what IngestService counts deliveries against.
    await ensureConsumer(ctx.jsm, stream, durable, {
      ...config,
      max_deliver: this.maxDeliver,
      ack_wait: nanos(this.ackWaitMs),
    });
    this.consumer = await ctx.js.consumers.get(stream, durable);
    this.ensuredFor = ctx;
    this.logger.log(`consuming ${stream} as ${durable}`);
    return this.consumer;
  }

  /**
   * Waits up to the fetch expiry for one message, then takes what its `pending` count says is
   * already waiting (up to the batch limits): a trickle is ingested at once, a backlog in
   * full batches.
   */
  private async fetchBatch(consumer: Consumer): Promise<JsMsg[]> {
    const batch: JsMsg[] = [];
    await this.drain(await consumer.fetch({ max_messages: 1, expires: this.expiresMs }), true, batch);
    const waiting = batch[0]?.info.pending ?? 0;
    if (waiting > 0 && this.batchMax > 1 && !this.stop.signal.aborted) {
      try {
        // The client takes max_messages or max_bytes, not both: the byte limit is kept by
        // assuming the waiting messages are about the size of the first (group commit makes
        // them alike); it is a guard against huge transactions, not an exact budget.
        const size = Math.max(batch[0]!.data.length, 1);
        const fit = Math.floor((this.batchMaxBytes - size) / size);
        const count = Math.min(this.batchMax - 1, waiting, fit);
        if (count <= 0) return batch;
        const rest = await consumer.fetch({ max_messages: count, expires: REST_OF_BATCH_EXPIRES_MS });
        await this.drain(rest, false, batch);
      } catch (error) {
        // Process what is in hand; the next fetch meets the problem again if it persists.
        this.logger.debug(`fetching the rest of a batch failed: ${errorSummary(error)}`);
      }
    }
    return batch;
  }

  /** Collects a fetch into `into`, so messages received before an error are not lost to the caller. */
  private async drain(messages: ConsumerMessages, stoppable: boolean, into: JsMsg[]): Promise<void> {
    if (stoppable) this.waiting.add(messages);
    if (stoppable && this.stop.signal.aborted) messages.stop();
    try {
      for await (const msg of messages) into.push(msg);
    } finally {
      this.waiting.delete(messages);
    }
  }

  /** Logs a problem once, not on every retry; waiting for the first NATS connection is no problem. */
  private problem(error: unknown): void {
    const reason = errorSummary(error);
    if (!this.consumer && error instanceof NatsUnavailableError)
      this.problems.debug(`waiting for NATS: ${reason}`, reason);
    else this.problems.warn(`ingest paused, retrying: ${reason}`, reason);
  }

  private recovered(): void {
    if (this.problems.reset()) this.logger.log('ingest resumed');
  }
}
