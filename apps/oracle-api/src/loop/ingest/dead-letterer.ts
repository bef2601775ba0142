import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEAD_LETTER_HEADERS } from '@metaloop/contracts';
import { NatsService } from '@metaloop/messaging';
import type { JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { IngestMetrics, type DeadLetterReason } from './ingest.metrics';

/** Header values are single-line and bounded; the full error is in the log. */
const MAX_REASON_LENGTH = 1_000;

/**
 * Moves a message to the dead-letter stream: the original bytes on `dlq.<original subject>`
 * with headers saying why, then terminates the original. Or just one event of it, when only
 * that event cannot be stored. The publish's msgID is derived
 * from the original stream sequence, so retrying it (or a replica racing us on a
 * redelivery) stores one dead letter, not two.
 */
@Injectable()
export class DeadLetterer {
  private readonly logger = new Logger(DeadLetterer.name);

  constructor(
    private readonly nats: NatsService,
    private readonly metrics: IngestMetrics,
  ) {}

  /**
   * Retries while NATS is away, keeping the message's ack timer alive: on its last delivery
   * JetStream would not deliver it again. Resolves false only when `signal` stopped it.
   */
  async deadLetter(msg: JsMsg, reasonClass: DeadLetterReason, reason: string, signal: AbortSignal): Promise<boolean> {
    const published = await this.publishWhileAway(
      msg,
      msg.data,
      `dlq-${msg.info.stream}-${msg.info.streamSequence}`,
      reason,
      signal,
    );
    if (!published) return false;
    msg.term();
    this.metrics.deadLetters.inc({ reason: reasonClass });
    this.logger.warn(
      `dead-lettered ${msg.subject} #${msg.info.streamSequence} after ${msg.info.deliveryCount} deliveries: ${reason}`,
    );
    return true;
  }

  /**
   * Dead-letters ONE event of a message (`body`: an envelope holding only it) and leaves the
   * message to the caller, who stores its other events and acks it. The msgID adds the
   * event's position, so a redelivered message dead-letters each of its events once.
   */
  async deadLetterEvent(
    msg: JsMsg,
    index: number,
    body: Uint8Array,
    reasonClass: DeadLetterReason,
    reason: string,
    signal: AbortSignal,
  ): Promise<boolean> {
    const msgID = `dlq-${msg.info.stream}-${msg.info.streamSequence}-${index}`;
    if (!(await this.publishWhileAway(msg, body, msgID, reason, signal))) return false;
    this.metrics.deadLetters.inc({ reason: reasonClass });
    this.logger.warn(`dead-lettered event ${index} of ${msg.subject} #${msg.info.streamSequence}: ${reason}`);
    return true;
  }

  private async publishWhileAway(
    msg: JsMsg,
    body: Uint8Array,
    msgID: string,
    reason: string,
    signal: AbortSignal,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.publish(msg, body, msgID, reason);
        return true;
      } catch (error) {
        this.logger.error(
          `dead-lettering ${msg.subject} #${msg.info.streamSequence} failed (attempt ${attempt + 1}): ${(error as Error).message}`,
        );
        if (signal.aborted) return false;
        msg.working();
        await sleep(Math.min(250 * 2 ** attempt, 5_000), undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return false;
      }
    }
  }

  private async publish(msg: JsMsg, body: Uint8Array, msgID: string, reason: string): Promise<void> {
    const { js, topology } = this.nats.context();
    const h = headers();
    // A replay that fails again says so, and which dead letter it came from.
    const replayOf = msg.headers?.get(DEAD_LETTER_HEADERS.replayOf);
    if (replayOf) h.set(DEAD_LETTER_HEADERS.replayOf, replayOf);
    h.set(
      DEAD_LETTER_HEADERS.reason,
      oneLine(replayOf ? `failed again after replay of dead letter ${replayOf}: ${reason}` : reason),
    );
    h.set(DEAD_LETTER_HEADERS.originalSubject, msg.subject);
    h.set(DEAD_LETTER_HEADERS.originalSequence, String(msg.info.streamSequence));
    h.set(DEAD_LETTER_HEADERS.deliveries, String(msg.info.deliveryCount));
    h.set(DEAD_LETTER_HEADERS.failedAt, new Date().toISOString());
    await js.publish(topology.subjects.deadLetter(msg.subject), body, {
      headers: h,
      msgID,
      expect: { streamName: topology.streams.deadLetters.name },
    });
  }
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const flat = text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_REASON_LENGTH ? `${flat.slice(0, MAX_REASON_LENGTH - 3)}...` : flat;
}
