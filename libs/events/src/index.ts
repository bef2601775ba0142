export { LIMITS } from './limits';
export { boundedJsonObject, type JsonValue } from './json-value';
export {
  bulkFeedbackSchema,
  explicitFeedbackSchema,
  feedbackEventSchema,
  feedbackKind,
  implicitFeedbackSchema,
  metricName,
  subjectToken,
  timestamp,
  type FeedbackEvent,
  type FeedbackEventInput,
  type FeedbackKind,
} from './feedback-event.schema';
export { systemMetricSchema, type SystemMetric, type SystemMetricInput } from './system-metric.schema';
export { natsTopology, type ConsumerDefinition, type NatsTopology, type StreamDefinition, type TopologyOptions } from './topology';
export {
  connectJetStream,
  connectNats,
  ensureStreams,
  openJetStream,
  type JetStreamConnectOptions,
  type JetStreamContext,
  type NatsConnectOptions,
} from './jetstream';
export { uuidv7 } from './uuid';
