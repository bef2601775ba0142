import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ENVELOPE_VERSION } from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { NatsService, NatsUnavailableError, traceHeaders } from '@metaloop/messaging';
import { activeSpanContext, inSpan, SpanKind, type SpanContext } from '@metaloop/observability/tracing';
import { FeedbackMetrics } from '../feedback/feedback.metrics';
import type { Env } from '../config/env.schema';
import { DedupeService } from './dedupe.service';
import { GroupCommit, type EnvelopeType } from './group-commit';
import { PublishFailedError } from './publish-failed.error';

/** An event ready for the stream: its id, where it goes and its JSON. */
export interface OutgoingEvent {
  eventId: string;
  /** The client chose the id (so a retry may repeat it): only these need the duplicate check. */
  clientId: boolean;
  subject: string;
  type: EnvelopeType;
  json: string;
  /** The request that sent it, when traced: its message links to (or continues) that trace. */
  origin?: SpanContext;
}

/** Server-assigned ids are new by construction: no duplicate check (nor its await) for them. */
const NONE_ACCEPTED: ReadonlySet<string> = new Set();

/**
 * Publishes events durably: a 202 is answered only after JetStream acknowledged the message
 * that carries the event. Group commit gathers concurrent events into shared messages; a
 * client event id accepted before (any replica, within the dedupe window) or still in
 * flight here is answered as a duplicate instead of being sent again.
 */
@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  private readonly commit: GroupCommit<OutgoingEvent>;
  private readonly timeoutMs: number;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly nats: NatsService,
    private readonly dedupe: DedupeService,
    private readonly metrics: FeedbackMetrics,
    config: ConfigService<Env, true>,
  ) {
    this.timeoutMs = config.get('PUBLISH_TIMEOUT_MS', { infer: true });
    this.commit = new GroupCommit({
      lingerMs: config.get('PUBLISH_LINGER_MS', { infer: true }),
      maxItems: config.get('PUBLISH_MAX_EVENTS', { infer: true }),
      maxBytes: config.get('PUBLISH_MAX_BYTES', { infer: true }),
      publish: (subject, type, items) => this.publishBatch(subject, type, items),
    });
  }

  /** For each event, whether it was a duplicate; throws (503) when the stream did not take them. */
  async publish(events: readonly OutgoingEvent[]): Promise<boolean[]> {
    this.nats.context(); // fail fast with 503 while NATS is down
    const origin = activeSpanContext();
    if (origin) for (const event of events) event.origin = origin;
    const single = events.length === 1 ? events[0]! : undefined;
    if (single && !single.clientId) {
      // One event with a server id (collect's usual case): nothing to check for duplicates.
      await this.commit.submit(single.subject, single.type, single);
      return [false];
    }
    const clientIds = events.filter((e) => e.clientId && !this.inFlight.has(e.eventId)).map((e) => e.eventId);
    const acceptedBefore = clientIds.length > 0 ? await this.dedupe.acceptedBefore(clientIds) : NONE_ACCEPTED;
    const seenInRequest = new Set<string>();
    const outcomes = events.map(async (event): Promise<boolean> => {
      if (!event.clientId) {
        await this.commit.submit(event.subject, event.type, event);
        return false;
      }
      if (acceptedBefore.has(event.eventId) || seenInRequest.has(event.eventId)) return true;
      seenInRequest.add(event.eventId);
      const pending = this.inFlight.get(event.eventId);
      if (pending)
        return pending.then(
          () => true,
          () => this.publishOwned(event),
        );
      return this.publishOwned(event);
    });
    const settled = await Promise.allSettled(outcomes);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<boolean>).value);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.commit.drain();
  }

  /** Publishes a client-id event, letting concurrent submissions of the same id wait on it. */
  private async publishOwned(event: OutgoingEvent): Promise<false> {
    const publishing = this.commit.submit(event.subject, event.type, event);
    this.inFlight.set(event.eventId, publishing);
    try {
      await publishing;
      return false;
    } finally {
      this.inFlight.delete(event.eventId);
    }
  }

  /**
   * One message's span continues the trace of the request that opened its batch and links the
   * others it answers; its context travels in the message's headers to the ingest consumer.
   */
  private publishBatch(subject: string, type: EnvelopeType, events: readonly OutgoingEvent[]): Promise<void> {
    return inSpan(
      'feedback publish',
      {
        kind: SpanKind.PRODUCER,
        from: events.map((e) => e.origin),
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': subject,
          'metaloop.events': events.length,
        },
      },
      () => this.publishMessage(subject, type, events),
    );
  }

  private async publishMessage(subject: string, type: EnvelopeType, events: readonly OutgoingEvent[]): Promise<void> {
    const started = performance.now();
    const payload = `{"v":${ENVELOPE_VERSION},"type":"${type}","events":[${events.map((e) => e.json).join(',')}]}`;
    let outcome = 'acked';
    try {
      const { js, topology } = this.nats.context();
      await js.publish(subject, payload, {
        msgID: uuidv7(),
        headers: traceHeaders(),
        timeout: this.timeoutMs,
        expect: { streamName: topology.streams.feedback.name },
      });
      await this.dedupe.remember(events.filter((e) => e.clientId).map((e) => e.eventId));
    } catch (error) {
      outcome = 'failed';
      if (error instanceof NatsUnavailableError) throw error;
      throw new PublishFailedError((error as Error).message);
    } finally {
      this.metrics.publishDuration.observe({ type, outcome }, (performance.now() - started) / 1000);
      this.metrics.batchEvents.observe({ type }, events.length);
    }
  }
}
