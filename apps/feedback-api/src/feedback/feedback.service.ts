import { Injectable } from '@nestjs/common';
import {
  feedbackEventSchema,
  feedbackKind,
  LIMITS,
  type AcceptedResponse,
  type BulkItemResult,
  type BulkResponse,
  type FeedbackEvent,
  type SystemMetric,
} from '@metaloop/contracts';
import { uuidv7 } from '@metaloop/core';
import { NatsService } from '@metaloop/messaging';
import { fieldError, RequestValidationException, type FieldError } from '@metaloop/platform';
import { AgentFeedbackMetrics } from '../agent-config/agent-feedback.metrics';
import { LiveConfigCache } from '../agent-config/live-config.cache';
import { MetricDefinitionsCache } from '../metric-definitions/metric-definitions.cache';
import { EventPublisher, type OutgoingEvent } from '../publishing/event-publisher.service';
import { FeedbackMetrics } from './feedback.metrics';

/**
 * Turns validated requests into stream events: checks what the schema alone cannot (metric
 * definitions, clock skew), assigns server ids (UUIDv7) and the receive time, and answers
 * only once the events are durable.
 */
@Injectable()
export class FeedbackService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly metricDefinitions: MetricDefinitionsCache,
    private readonly nats: NatsService,
    private readonly metrics: FeedbackMetrics,
    private readonly liveConfig: LiveConfigCache,
    private readonly agentMetrics: AgentFeedbackMetrics,
  ) {
    liveConfig.onAgentDropped((agentId) => metrics.forget(agentId));
  }

  async collect(event: FeedbackEvent): Promise<AcceptedResponse> {
    const errors = await this.semanticErrors(event, []);
    if (errors.length > 0) {
      this.metrics.count(feedbackKind(event), this.liveConfig.agentLabel(event.agent_id), 'rejected');
      throw new RequestValidationException(errors);
    }
    const outgoing = this.feedbackEvent(event, new Date().toISOString());
    const [duplicate] = await this.publisher.publish([outgoing]);
    this.metrics.count(
      feedbackKind(event),
      this.liveConfig.agentLabel(event.agent_id),
      duplicate ? 'duplicate' : 'accepted',
    );
    if (!duplicate) this.recordAccepted(event);
    return { event_id: outgoing.eventId, status: 'accepted', duplicate: duplicate! };
  }

  /** Validates each event on its own: one bad event is rejected, the others still go in. */
  async collectBulk(items: readonly unknown[]): Promise<BulkResponse> {
    const receivedAt = new Date().toISOString();
    const results: BulkItemResult[] = new Array(items.length);
    const valid: Array<{ index: number; event: FeedbackEvent; outgoing: OutgoingEvent }> = [];
    await Promise.all(
      items.map(async (item, index) => {
        const parsed = feedbackEventSchema.safeParse(item);
        const errors = parsed.success
          ? await this.semanticErrors(parsed.data, [])
          : parsed.error.issues.map((issue) => fieldError(issue.path as PropertyKey[], issue.message));
        if (errors.length > 0 || !parsed.success) {
          results[index] = { index, status: 'rejected', errors };
          this.metrics.count(
            parsed.success ? feedbackKind(parsed.data) : 'implicit',
            parsed.success ? this.liveConfig.agentLabel(parsed.data.agent_id) : 'invalid',
            'rejected',
          );
          return;
        }
        valid.push({ index, event: parsed.data, outgoing: this.feedbackEvent(parsed.data, receivedAt) });
      }),
    );
    valid.sort((a, b) => a.index - b.index);
    const duplicates = await this.publisher.publish(valid.map((v) => v.outgoing));
    valid.forEach(({ index, event, outgoing }, i) => {
      const status = duplicates[i] ? 'duplicate' : 'accepted';
      results[index] = { index, status, event_id: outgoing.eventId };
      this.metrics.count(feedbackKind(event), this.liveConfig.agentLabel(event.agent_id), status);
      if (status === 'accepted') this.recordAccepted(event);
    });
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      results,
    };
  }

  async systemMetric(metric: SystemMetric): Promise<AcceptedResponse> {
    const future = futureTimestampError(metric.timestamp, []);
    if (future) {
      this.metrics.count('system', this.metrics.sourceLabel(metric.source), 'rejected');
      throw new RequestValidationException([future]);
    }
    const eventId = uuidv7();
    const stored = { event_id: eventId, received_at: new Date().toISOString(), ...metric };
    await this.publisher.publish([
      {
        eventId,
        clientId: false,
        subject: this.nats.topology.subjects.system(metric.source),
        type: 'system',
        json: JSON.stringify(stored),
      },
    ]);
    this.metrics.count('system', this.metrics.sourceLabel(metric.source), 'accepted');
    return { event_id: eventId, status: 'accepted', duplicate: false };
  }

  /**
   * Completes the parsed event in place (it is ours: the validator made it) and serialises it
   * once. Without a revision_id it gets the one the session's sticky arm serves (none for an
   * agent that is not registered: the event is kept, unattributed).
   */
  private feedbackEvent(event: FeedbackEvent, receivedAt: string): OutgoingEvent {
    const kind = feedbackKind(event);
    const clientId = event.event_id !== undefined;
    const revisionId = event.revision_id ?? this.liveConfig.revisionFor(event.agent_id, event.session_id);
    const stored = Object.assign(event, {
      event_id: event.event_id ?? uuidv7(),
      received_at: receivedAt,
      kind,
      ...(revisionId !== undefined && { revision_id: revisionId }),
    });
    return {
      eventId: stored.event_id,
      clientId,
      subject: this.nats.topology.subjects.feedback(kind, event.agent_id),
      type: 'feedback',
      json: JSON.stringify(stored),
    };
  }

  /** The agent-level series of an accepted event (its revision_id is filled in by now); none for an unregistered agent. */
  private recordAccepted(event: FeedbackEvent): void {
    if (!this.liveConfig.isRegistered(event.agent_id)) return;
    const revisionId = event.revision_id;
    this.agentMetrics.record(
      event,
      revisionId,
      revisionId ? this.liveConfig.armOf(event.agent_id, revisionId) : 'other',
    );
  }

  private async semanticErrors(event: FeedbackEvent, path: Array<string | number>): Promise<FieldError[]> {
    const errors = event.metrics ? await this.metricDefinitions.check(event.metrics, [...path, 'metrics']) : [];
    const future = futureTimestampError(event.timestamp, path);
    return future ? [...errors, future] : errors;
  }
}

function futureTimestampError(timestamp: string | undefined, path: Array<string | number>): FieldError | undefined {
  if (!timestamp || Date.parse(timestamp) - Date.now() <= LIMITS.futureTimestampMs) return undefined;
  return fieldError([...path, 'timestamp'], `is more than ${LIMITS.futureTimestampMs / 60_000} minutes in the future`);
}
