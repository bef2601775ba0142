import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrismaService } from '@metaloop/db';
import type { Envelope } from '@metaloop/contracts';
import { DistinctWarnings } from '@metaloop/observability';
import type { JsMsg } from '@nats-io/jetstream';
import type { Env } from '../../config/env.schema';
import { errorSummary } from '../../common/error-summary';
import { DeadLetterer } from './dead-letterer';
import { parseEnvelope } from './envelope-parser';
import { IngestMetrics } from './ingest.metrics';
import { IngestWriter, type WriteResult } from './ingest.writer';

interface Parsed {
  msg: JsMsg;
  envelope: Envelope;
}

/** written; rejected while the database answers (the data is to blame); abandoned on shutdown during an outage. */
type Attempt = { kind: 'written'; result: WriteResult } | { kind: 'rejected'; error: unknown } | { kind: 'abandoned' };

const MAX_RETRY_DELAY_MS = 60_000;
const DATABASE_PROBE_TIMEOUT_MS = 2_000;

/**
 * Processes one fetch batch. Every message ends acknowledged (after the commit), nak'ed
 * with backoff, or dead-lettered; only a shutdown during a database outage hands messages
 * back to JetStream unprocessed.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private readonly outage = new DistinctWarnings(this.logger);
  private readonly maxDeliver: number;
  private readonly retryDelayMs: number;
  private readonly ackWaitMs: number;

  constructor(
    private readonly writer: IngestWriter,
    private readonly deadLetterer: DeadLetterer,
    private readonly metrics: IngestMetrics,
    private readonly prisma: PrismaService,
    config: ConfigService<Env, true>,
  ) {
    this.maxDeliver = config.get('INGEST_MAX_DELIVER', { infer: true });
    this.retryDelayMs = config.get('INGEST_RETRY_DELAY_MS', { infer: true });
    this.ackWaitMs = config.get('INGEST_ACK_WAIT_MS', { infer: true });
  }

  async process(messages: readonly JsMsg[], signal: AbortSignal): Promise<void> {
    const started = performance.now();
    this.metrics.batchMessages.observe(messages.length);
    const valid: Parsed[] = [];
    for (const msg of messages) {
      const parsed = parseEnvelope(msg.data);
      if (parsed.ok) valid.push({ msg, envelope: parsed.envelope });
      // It can never succeed: each retry would only hold up the batches it lands in.
      else await this.deadLetterer.deadLetter(msg, 'malformed', `malformed: ${parsed.error}`, signal);
    }
    if (valid.length === 0) return;
    const outcome = await this.store(valid, signal);
    this.metrics.batchDuration.observe({ outcome }, (performance.now() - started) / 1000);
  }

  /** The whole batch in one transaction; when that fails, message by message to isolate the poison. */
  private async store(items: Parsed[], signal: AbortSignal): Promise<'committed' | 'isolated' | 'abandoned'> {
    const batch = await this.attempt(items, items, signal);
    if (batch.kind === 'written') {
      for (const item of items) item.msg.ack();
      this.count(batch.result);
      return 'committed';
    }
    if (batch.kind === 'abandoned') return this.handBack(items);
    if (items.length === 1) {
      await this.reject(items[0]!.msg, batch.error, signal);
      return 'isolated';
    }
    this.logger.warn(`a batch of ${items.length} messages failed, retrying one by one: ${errorSummary(batch.error)}`);
    for (const [i, item] of items.entries()) {
      const one = await this.attempt([item], items.slice(i), signal);
      if (one.kind === 'written') {
        item.msg.ack();
        this.count(one.result);
      } else if (one.kind === 'abandoned') {
        return this.handBack(items.slice(i));
      } else {
        await this.reject(item.msg, one.error, signal);
      }
    }
    return 'isolated';
  }

  /**
   * Writes, and while the database itself is down keeps retrying the same messages (holding
   * their ack timers) instead of burning their deliveries: an outage is nobody's poison.
   */
  private async attempt(items: Parsed[], inHand: Parsed[], signal: AbortSignal): Promise<Attempt> {
    for (let pause = 250; ; pause = Math.min(pause * 2, 5_000)) {
      // A slow transaction must not let the ack wait run out: JetStream would hand the
      // messages to another replica while this one is still writing them.
      const keepAlive = setInterval(() => inHand.forEach((item) => item.msg.working()), this.ackWaitMs / 3);
      try {
        const result = await this.writer.write(items.map((item) => item.envelope));
        this.outage.reset();
        return { kind: 'written', result };
      } catch (error) {
        if (await this.databaseAnswers()) return { kind: 'rejected', error };
        if (signal.aborted) return { kind: 'abandoned' };
        this.outage.warn(`database unavailable, holding the messages in hand until it answers: ${errorSummary(error)}`);
        await sleep(pause, undefined, { signal }).catch(() => undefined);
      } finally {
        clearInterval(keepAlive);
      }
    }
  }

  private async reject(msg: JsMsg, error: unknown, signal: AbortSignal): Promise<void> {
    const deliveries = msg.info.deliveryCount;
    if (deliveries >= this.maxDeliver) {
      await this.deadLetterer.deadLetter(
        msg,
        'max_deliveries',
        `failed ${deliveries} deliveries: ${errorSummary(error)}`,
        signal,
      );
      return;
    }
    const delay = Math.min(this.retryDelayMs * 2 ** (deliveries - 1), MAX_RETRY_DELAY_MS);
    this.logger.warn(
      `${msg.subject} #${msg.info.streamSequence} failed delivery ${deliveries} of ${this.maxDeliver}, retry in ${delay} ms: ${errorSummary(error)}`,
    );
    msg.nak(delay);
  }

  /** Shutting down while the database is away: let another replica (or the next start) take them now. */
  private handBack(items: Parsed[]): 'abandoned' {
    for (const item of items) item.msg.nak();
    return 'abandoned';
  }

  private async databaseAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.prisma.$queryRawUnsafe('SELECT 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), DATABASE_PROBE_TIMEOUT_MS))),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private count(result: WriteResult): void {
    for (const type of ['feedback', 'system'] as const) {
      const { inserted, duplicate } = result[type];
      if (inserted > 0) this.metrics.events.inc({ type, result: 'inserted' }, inserted);
      if (duplicate > 0) this.metrics.events.inc({ type, result: 'duplicate' }, duplicate);
    }
  }
}
