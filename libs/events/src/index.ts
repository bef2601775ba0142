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
export { DEAD_LETTER_HEADERS, natsTopology, type ConsumerDefinition, type NatsTopology, type StreamDefinition, type TopologyOptions } from './topology';
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
export {
  ENVELOPE_VERSION,
  envelopeSchema,
  feedbackEnvelopeSchema,
  storedFeedbackEventSchema,
  storedSystemMetricSchema,
  systemMetricEnvelopeSchema,
  type Envelope,
  type FeedbackEnvelope,
  type StoredFeedbackEvent,
  type StoredSystemMetric,
  type SystemMetricEnvelope,
} from './envelope.schema';
export { JOBS, QUEUES, type PurgeRawEventsJob } from './queues';
export { LATENCY_BUCKET_BOUNDS_MS, LATENCY_BUCKETS, latencyBucket, latencyQuantile } from './latency-histogram';
export {
  acceptedResponseSchema,
  bulkItemResultSchema,
  bulkResponseSchema,
  fieldErrorSchema,
  type AcceptedResponse,
  type BulkItemResult,
  type BulkResponse,
} from './feedback-api.schema';
export {
  metricDefinitionListSchema,
  metricDefinitionResponseSchema,
  metricDefinitionSchema,
  metricsChangedMessageSchema,
  type MetricDefinition,
  type MetricDefinitionInput,
  type MetricDefinitionList,
  type MetricDefinitionResponse,
  type MetricsChangedMessage,
} from './metric-definition.schema';
export {
  DLQ_REPLAY_MAX_SEQS,
  deadLetterSchema,
  dlqListQuerySchema,
  dlqListResponseSchema,
  dlqReplayResponseSchema,
  dlqReplaySchema,
  type DeadLetter,
  type DlqListQuery,
  type DlqListResponse,
  type DlqReplayRequest,
  type DlqReplayResponse,
} from './dead-letter.schema';
export {
  agentConfigSchema,
  candidateKey,
  candidateSchema,
  createAgentSchema,
  environmentSchema,
  fewShotExampleSchema,
  memoryFactSchema,
  MUTATION_TYPES,
  mutationTypeSchema,
  paramsSchema,
  promptSchema,
  routeSchema,
  type AgentConfig,
  type AgentConfigInput,
  type CandidateInput,
  type CandidateSpec,
  type Environment,
  type FewShotExample,
  type MemoryFact,
  type MutationType,
} from './agent-config.schema';
