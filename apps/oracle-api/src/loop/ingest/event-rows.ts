import { createHash } from 'node:crypto';
import type { StoredFeedbackEvent, StoredSystemMetric } from '@metaloop/contracts';
import { successValue } from '../rollups/rollup-aggregation';

/**
 * Rows as the ingest SQL reads them with json_to_recordset: keys are column names, and an
 * absent (undefined) field becomes NULL because JSON.stringify leaves it out.
 */
export function feedbackEventRow(event: StoredFeedbackEvent) {
  const { explicit, implicit } = event;
  return {
    event_id: event.event_id,
    agent_id: event.agent_id,
    session_id: event.session_id,
    revision_id: event.revision_id ?? '',
    inference_id: event.inference_id,
    subject_id: event.subject_id,
    occurred_at: event.timestamp ?? event.received_at,
    received_at: event.received_at,
    rating: explicit?.rating,
    helpful: explicit?.helpful,
    complaint: explicit?.complaint,
    success: successValue(event),
    response_time_ms: implicit?.response_time_ms,
    error_code: implicit?.error_code,
    tokens_in: implicit?.tokens_in,
    tokens_out: implicit?.tokens_out,
    cost_usd: implicit?.cost_usd,
    tags: event.tags ?? [],
    payload: event,
  };
}

export function systemMetricRow(metric: StoredSystemMetric) {
  return {
    id: systemMetricId(metric.event_id),
    source: metric.source,
    name: metric.name,
    value: metric.value,
    unit: metric.unit,
    labels: metric.labels,
    agent_id: metric.agent_id,
    occurred_at: metric.timestamp ?? metric.received_at,
    received_at: metric.received_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * system_metrics.id is a UUID and feedback-api assigns UUIDv7 event ids. The envelope
 * contract only promises a string, so any other id is mapped to a stable name-based UUID
 * (version 8, SHA-256): a redelivery still hits the same row instead of poisoning the batch.
 */
export function systemMetricId(eventId: string): string {
  if (UUID.test(eventId)) return eventId.toLowerCase();
  const bytes = createHash('sha256').update(`metaloop:system-metric:${eventId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
