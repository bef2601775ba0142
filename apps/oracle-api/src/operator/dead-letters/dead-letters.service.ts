import { Injectable, Logger } from '@nestjs/common';
import {
  DEAD_LETTER_HEADERS,
  type DeadLetter,
  type DlqListQuery,
  type DlqListResponse,
  type DlqReplayRequest,
  type DlqReplayResponse,
} from '@metaloop/contracts';
import { type JetStreamContext } from '@metaloop/messaging';
import { NatsService } from '@metaloop/messaging';
import type { MsgRequest, StoredMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { errorSummary } from '../../common/error-summary';

/**
 * The dead-letter stream as an operator sees it: listed by stream sequence, and replayed to
 * the original subject once the cause is fixed. NATS down → NatsUnavailableError (503).
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);

  constructor(private readonly nats: NatsService) {}

  async list(query: DlqListQuery): Promise<DlqListResponse> {
    const ctx = this.nats.context();
    const items: DeadLetter[] = [];
    let after = query.after_seq;
    while (items.length < query.limit) {
      const stored = await this.next(ctx, after);
      if (!stored) break;
      items.push(describe(ctx, stored));
      after = stored.seq;
    }
    return { items, next_after_seq: items.length === query.limit ? after : null };
  }

  /**
   * Republishes each dead letter's original bytes to its original subject (msgID
   * `replay-<seq>`, so a retried replay is stored once), and only after JetStream acked that
   * deletes it from the DLQ. `all` covers what is there now: letters that fail again come
   * back with new sequences and are not replayed twice in one call, their reason saying they
   * failed again after the replay of which dead letter (`replay_of`).
   */
  async replay(request: DlqReplayRequest): Promise<DlqReplayResponse> {
    const ctx = this.nats.context();
    const result: DlqReplayResponse = { replayed: [], failed: [] };
    if (request.all) {
      const { state } = await ctx.jsm.streams.info(ctx.topology.streams.deadLetters.name);
      for (
        let stored = await this.next(ctx, 0);
        stored && stored.seq <= state.last_seq;
        stored = await this.next(ctx, stored.seq)
      ) {
        await this.replayOne(ctx, stored, result);
      }
    } else {
      for (const seq of new Set(request.seqs)) {
        const stored = await ctx.jsm.streams.getMessage(ctx.topology.streams.deadLetters.name, { seq });
        if (stored) await this.replayOne(ctx, stored, result);
        else result.failed.push({ seq, error: 'no such dead letter' });
      }
    }
    if (result.replayed.length > 0)
      this.logger.log(`replayed ${result.replayed.length} dead letter(s), ${result.failed.length} failed`);
    return result;
  }

  private async replayOne(ctx: JetStreamContext, stored: StoredMsg, result: DlqReplayResponse): Promise<void> {
    const target = originalSubject(ctx, stored);
    // Only ever back into the feedback stream, whatever a hand-published header says.
    if (!target.startsWith(ctx.topology.subjects.allFeedback.slice(0, -1))) {
      result.failed.push({ seq: stored.seq, error: `original subject "${target}" is not a feedback subject` });
      return;
    }
    try {
      const h = headers();
      h.set(DEAD_LETTER_HEADERS.replayOf, String(stored.seq));
      await ctx.js.publish(target, stored.data, {
        headers: h,
        msgID: `replay-${stored.seq}`,
        expect: { streamName: ctx.topology.streams.feedback.name },
      });
      await ctx.jsm.streams.deleteMessage(ctx.topology.streams.deadLetters.name, stored.seq, false);
      result.replayed.push(stored.seq);
    } catch (error) {
      result.failed.push({ seq: stored.seq, error: errorSummary(error) });
    }
  }

  /** The first dead letter after `seq`, skipping the gaps replays leave. */
  private next(ctx: JetStreamContext, seq: number): Promise<StoredMsg | null> {
    const query = { seq: seq + 1, next_by_subj: ctx.topology.subjects.allDeadLetters };
    // STREAM.MSG.GET takes next_by_subj (NATS 2.9+); the client's type only lists seq/last_by_subj.
    return ctx.jsm.streams.getMessage(ctx.topology.streams.deadLetters.name, query as unknown as MsgRequest);
  }
}

function originalSubject(ctx: JetStreamContext, stored: StoredMsg): string {
  return stored.header?.get(DEAD_LETTER_HEADERS.originalSubject) || ctx.topology.subjects.replayOf(stored.subject);
}

function describe(ctx: JetStreamContext, stored: StoredMsg): DeadLetter {
  const header = (name: string) => stored.header?.get(name) || null;
  const int = (name: string) => {
    const value = Number(header(name));
    return header(name) !== null && Number.isSafeInteger(value) ? value : null;
  };
  return {
    seq: stored.seq,
    subject: stored.subject,
    original_subject: originalSubject(ctx, stored),
    original_seq: int(DEAD_LETTER_HEADERS.originalSequence),
    reason: header(DEAD_LETTER_HEADERS.reason) ?? 'unknown',
    deliveries: int(DEAD_LETTER_HEADERS.deliveries),
    failed_at: header(DEAD_LETTER_HEADERS.failedAt),
    events: eventCount(stored.data),
    size: stored.data.length,
    replay_of: int(DEAD_LETTER_HEADERS.replayOf),
  };
}

/** Events in the envelope, if the body is one; dead letters are often exactly the ones that are not. */
function eventCount(data: Uint8Array): number | null {
  try {
    const body = JSON.parse(Buffer.from(data).toString('utf8')) as { events?: unknown };
    return Array.isArray(body?.events) ? body.events.length : null;
  } catch {
    return null;
  }
}
