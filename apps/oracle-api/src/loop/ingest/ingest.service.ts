import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrismaService } from '@metaloop/db';
import type { Envelope } from '@metaloop/contracts';
import { spanContextFromHeaders } from '@metaloop/messaging';
import { DistinctWarnings } from '@metaloop/observability';
import { inSpan, SpanKind } from '@metaloop/observability/tracing';
import type { JsMsg } from '@nats-io/jetstream';
import type { Env } from '../../config/env.schema';
import { errorSummary } from '../../common/error-summary';
import { ExamplesService } from '../examples/examples.service';
import { MemoryService } from '../memory/memory.service';
import { isDataError } from './data-errors';
import { DeadLetterer } from './dead-letterer';
import { parseEnvelope } from './envelope-parser';
import type { DeadLetterReason } from './ingest.metrics';
import { IngestMetrics } from './ingest.metrics';
import { IngestWriter, type WriteResult } from './ingest.writer';

interface Parsed {
  msg: JsMsg;
  /** The events the contract accepts; `indices` are their positions in the message. */
  envelope: Envelope;
  indices: number[];
  /** Events in the message. */
  events: number;
  /** Its events to dead-letter one by one before it is acked: refused by the contract, then by Postgres. */
  letters: Letter[];
}

interface Letter {
  /** The event's position in the message. */
  index: number;
  /** An envelope holding only the event. */
  body: Uint8Array;
  reasonClass: DeadLetterReason;
  reason: string;
}

/** One event of a message, the unit the batch is bisected into. */
interface Unit {
  item: Parsed;
  position: number;
}

/** done: every event stored or set aside as unstorable; retry: a failure that may pass next time. */
type Isolation = { kind: 'done' } | { kind: 'retry'; error: unknown } | { kind: 'abandoned' };

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
    private readonly examples: ExamplesService,
    private readonly memory: MemoryService,
    config: ConfigService<Env, true>,
  ) {
    this.maxDeliver = config.get('INGEST_MAX_DELIVER', { infer: true });
    this.retryDelayMs = config.get('INGEST_RETRY_DELAY_MS', { infer: true });
    this.ackWaitMs = config.get('INGEST_ACK_WAIT_MS', { infer: true });
  }

  /**
   * Traced as one span continuing the first message's publish and linking the others' (each
   * message's context comes in its `traceparent` header); the transaction is its child.
   */
  process(messages: readonly JsMsg[], signal: AbortSignal): Promise<void> {
    return inSpan(
      'ingest batch',
      {
        kind: SpanKind.CONSUMER,
        from: messages.map((msg) => spanContextFromHeaders(msg.headers)),
        attributes: { 'messaging.system': 'nats', 'messaging.batch.message_count': messages.length },
      },
      () => this.processBatch(messages, signal),
    );
  }

  private async processBatch(messages: readonly JsMsg[], signal: AbortSignal): Promise<void> {
    const started = performance.now();
    this.metrics.batchMessages.observe(messages.length);
    const valid: Parsed[] = [];
    for (const msg of messages) {
      const parsed = parseEnvelope(msg.data);
      if (parsed.ok) {
        const { envelope, indices, refused } = parsed;
        const letters = refused.map(({ index, body, error }): Letter => ({
          index,
          body,
          reasonClass: 'malformed',
          reason: `malformed: ${error}`,
        }));
        valid.push({ msg, envelope, indices, events: indices.length + refused.length, letters });
      }
      // It can never succeed: each retry would only hold up the batches it lands in.
      else await this.deadLetterer.deadLetter(msg, 'malformed', `malformed: ${parsed.error}`, signal);
    }
    if (valid.length === 0) return;
    const outcome = await this.store(valid, signal);
    this.metrics.batchDuration.observe({ outcome }, (performance.now() - started) / 1000);
  }

  /**
   * The whole batch in one transaction. When the data is to blame, the events that cannot be
   * stored are isolated by bisection and dead-lettered one by one, the rest stored; on any
   * other failure, message by message, each retried with backoff until max deliveries.
   */
  private async store(items: Parsed[], signal: AbortSignal): Promise<'committed' | 'isolated' | 'abandoned'> {
    const batch = await this.attempt(envelopesOf(items), items, signal);
    if (batch.kind === 'written') {
      this.count(batch.result);
      return (await this.settle(items, signal)) ? 'committed' : 'abandoned';
    }
    if (batch.kind === 'abandoned') return this.handBack(items);
    if (isDataError(batch.error)) return this.isolate(items, batch.error, signal);
    if (items.length === 1) {
      await this.reject(items[0]!.msg, batch.error, signal);
      return 'isolated';
    }
    this.logger.warn(`a batch of ${items.length} messages failed, retrying one by one: ${errorSummary(batch.error)}`);
    for (const [i, item] of items.entries()) {
      const one = await this.attempt([item.envelope], items.slice(i), signal);
      if (one.kind === 'written') {
        this.count(one.result);
        if (!(await this.settle([item], signal))) return this.handBack(items.slice(i + 1));
      } else if (one.kind === 'abandoned') {
        return this.handBack(items.slice(i));
      } else if (isDataError(one.error)) {
        if ((await this.isolate([item], one.error, signal)) === 'abandoned') return this.handBack(items.slice(i + 1));
      } else {
        await this.reject(item.msg, one.error, signal);
      }
    }
    return 'isolated';
  }

  /**
   * Postgres refused the events of `items` for what they hold: bisect them down to the
   * events it refuses on their own, storing every half it takes. Each write is its own
   * transaction and idempotent (a stored event is a duplicate next time), so a failure
   * midway simply hands the messages back to be done again.
   */
  private async isolate(items: Parsed[], error: unknown, signal: AbortSignal): Promise<'isolated' | 'abandoned'> {
    this.logger.warn(
      `Postgres refused a batch of ${items.length} messages, isolating the events: ${errorSummary(error)}`,
    );
    const units = items.flatMap((item) => item.envelope.events.map((_, position) => ({ item, position })));
    const outcome = await this.bisect(units, items, signal);
    if (outcome.kind === 'abandoned') return this.handBack(items);
    if (outcome.kind === 'retry') {
      for (const item of items) await this.reject(item.msg, outcome.error, signal);
      return 'isolated';
    }
    return (await this.settle(items, signal)) ? 'isolated' : 'abandoned';
  }

  private async bisect(units: Unit[], inHand: Parsed[], signal: AbortSignal): Promise<Isolation> {
    const attempt = await this.attempt(units.map(envelopeOf), inHand, signal);
    if (attempt.kind === 'written') {
      this.count(attempt.result);
      return { kind: 'done' };
    }
    if (attempt.kind === 'abandoned') return attempt;
    if (!isDataError(attempt.error)) return { kind: 'retry', error: attempt.error };
    if (units.length === 1) {
      const { item, position } = units[0]!;
      item.letters.push({
        index: item.indices[position]!,
        body: Buffer.from(JSON.stringify(envelopeOf(units[0]!))),
        reasonClass: 'unstorable',
        reason: `unstorable: ${errorSummary(attempt.error)}`,
      });
      return { kind: 'done' };
    }
    const half = Math.ceil(units.length / 2);
    const first = await this.bisect(units.slice(0, half), inHand, signal);
    return first.kind === 'done' ? this.bisect(units.slice(half), inHand, signal) : first;
  }

  /**
   * After their storable events are stored: dead-letters each refused event, then acks the
   * message. A message none of whose events could be stored goes to the dead letters whole,
   * as it came. False when shutdown stopped it (the rest is then handed back).
   */
  private async settle(items: Parsed[], signal: AbortSignal): Promise<boolean> {
    for (const [i, item] of items.entries()) {
      if (!(await this.deadLetterRefused(item, signal))) {
        this.handBack(items.slice(i));
        return false;
      }
    }
    return true;
  }

  private async deadLetterRefused({ msg, events, letters }: Parsed, signal: AbortSignal): Promise<boolean> {
    if (letters.length === events) {
      const reason =
        letters.length === 1 ? letters[0]!.reason : letters.map((l) => `event ${l.index}: ${l.reason}`).join('; ');
      return this.deadLetterer.deadLetter(msg, letters[0]!.reasonClass, reason, signal);
    }
    for (const letter of letters) {
      const { index, body, reasonClass, reason } = letter;
      if (!(await this.deadLetterer.deadLetterEvent(msg, index, body, reasonClass, reason, signal))) return false;
    }
    msg.ack();
    return true;
  }

  /**
   * Writes, and while the database itself is down keeps retrying the same messages (holding
   * their ack timers) instead of burning their deliveries: an outage is nobody's poison.
   */
  private async attempt(envelopes: Envelope[], inHand: Parsed[], signal: AbortSignal): Promise<Attempt> {
    for (let pause = 250; ; pause = Math.min(pause * 2, 5_000)) {
      // A slow transaction must not let the ack wait run out: JetStream would hand the
      // messages to another replica while this one is still writing them.
      const keepAlive = setInterval(() => inHand.forEach((item) => item.msg.working()), this.ackWaitMs / 3);
      try {
        const result = await this.writer.write(envelopes);
        this.outage.reset();
        // After the commit and off the ingest path: example derivation never slows or fails it.
        this.examples.offer(envelopes);
        this.memory.offer(envelopes);
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

function envelopesOf(items: readonly Parsed[]): Envelope[] {
  return items.map((item) => item.envelope);
}

/** An envelope holding only the unit's event. */
function envelopeOf({ item, position }: Unit): Envelope {
  const { envelope } = item;
  return envelope.type === 'feedback'
    ? { ...envelope, events: [envelope.events[position]!] }
    : { ...envelope, events: [envelope.events[position]!] };
}
