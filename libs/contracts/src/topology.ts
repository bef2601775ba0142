import type { FeedbackKind } from './feedback-event.schema';

export interface TopologyOptions {
  /** Namespace token for tests ("t1" → subjects "t1.feedback.>", stream "T1_FEEDBACK"); empty in production. */
  prefix?: string;
  /** How long JetStream remembers a message id to drop duplicates. */
  duplicateWindowMs?: number;
  /** Deliveries of one message before it is dead-lettered. */
  maxDeliver?: number;
  ackWaitMs?: number;
  replicas?: number;
}

// The streams and the consumer in JetStream's own field names and values, durations in
// nanoseconds, so the contract needs no NATS client: the code that hands them to JetStream
// type-checks them against the client's StreamConfig and ConsumerConfig.
export interface StreamDefinition {
  name: string;
  subjects: string[];
  storage: 'file';
  retention: 'limits';
  discard: 'old';
  max_age: number;
  num_replicas: number;
  duplicate_window?: number;
}

export interface ConsumerDefinition {
  durable_name: string;
  ack_policy: 'explicit';
  deliver_policy: 'all';
  filter_subject: string;
  max_deliver: number;
  ack_wait: number;
  max_ack_pending: number;
}

const DAY_MS = 86_400_000;
const nanos = (ms: number) => ms * 1_000_000;

/**
 * Core-NATS (not JetStream) subjects between apps, unprefixed: what `@EventPattern(...)`
 * handlers name. The event transport in libs/messaging puts the app's prefix in front.
 */
export const CORE_SUBJECTS = {
  configChanged: 'config.changed',
  /** Metric definitions changed: feedback-api reloads its cache at once. */
  metricsChanged: 'metrics.changed',
  /** A training request for the trainer: the dataset to train on (TrainingRequestedMessage). */
  trainingRequested: 'training.requested',
} as const;

/** `subject` under a namespace prefix ("t1" → "t1.subject"); unchanged when the prefix is empty. */
export function prefixSubject(prefix: string, subject: string): string {
  return prefix ? `${prefix}.${subject}` : subject;
}

/**
 * Every NATS name metaloop uses, derived in one place so apps and tests agree. Subjects:
 * `feedback.explicit.<agent>`, `feedback.implicit.<agent>`, `feedback.system.<source>`,
 * dead letters on `dlq.feedback.>`, and `config.changed` on core NATS.
 */
export function natsTopology(options: TopologyOptions = {}) {
  const prefix = options.prefix ?? '';
  const p = prefix ? `${prefix}.` : '';
  const streamPrefix = prefix ? `${prefix.toUpperCase().replace(/-/g, '_')}_` : '';

  const subjects = {
    feedback: (kind: FeedbackKind, agentId: string) => `${p}feedback.${kind}.${agentId}`,
    system: (source: string) => `${p}feedback.system.${source}`,
    allFeedback: `${p}feedback.>`,
    /** The dead-letter subject of a feedback subject: `dlq.` + the original (unprefixed) subject. */
    deadLetter: (originalSubject: string) => `${p}dlq.${originalSubject.slice(p.length)}`,
    /** The subject a dead letter is replayed to. */
    replayOf: (deadLetterSubject: string) => `${p}${deadLetterSubject.slice(`${p}dlq.`.length)}`,
    allDeadLetters: `${p}dlq.feedback.>`,
    configChanged: prefixSubject(prefix, CORE_SUBJECTS.configChanged),
    metricsChanged: prefixSubject(prefix, CORE_SUBJECTS.metricsChanged),
    trainingRequested: prefixSubject(prefix, CORE_SUBJECTS.trainingRequested),
  };

  const fileStream = (name: string, subject: string, maxAgeMs: number): StreamDefinition => ({
    name: `${streamPrefix}${name}`,
    subjects: [subject],
    storage: 'file',
    retention: 'limits',
    discard: 'old',
    max_age: nanos(maxAgeMs),
    num_replicas: options.replicas ?? 1,
  });
  const feedbackStream: StreamDefinition = {
    ...fileStream('FEEDBACK', subjects.allFeedback, 7 * DAY_MS),
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
  };
  const deadLetterStream = fileStream('FEEDBACK_DLQ', subjects.allDeadLetters, 30 * DAY_MS);

  const ingestConsumer: ConsumerDefinition = {
    durable_name: 'oracle-ingest',
    ack_policy: 'explicit',
    deliver_policy: 'all',
    filter_subject: subjects.allFeedback,
    max_deliver: options.maxDeliver ?? 5,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: 20_000,
  };

  return {
    prefix,
    subjects,
    streams: { feedback: feedbackStream, deadLetters: deadLetterStream },
    consumers: { ingest: { stream: feedbackStream.name, config: ingestConsumer } },
  };
}

export type NatsTopology = ReturnType<typeof natsTopology>;

/** Headers a dead letter carries besides the original body. */
export const DEAD_LETTER_HEADERS = {
  reason: 'Metaloop-Dlq-Reason',
  originalSubject: 'Metaloop-Original-Subject',
  originalSequence: 'Metaloop-Original-Seq',
  deliveries: 'Metaloop-Deliveries',
  failedAt: 'Metaloop-Failed-At',
  /** On a replayed message, and on its dead letter if it fails again: the dead letter it replays. */
  replayOf: 'Metaloop-Replay-Of',
} as const;
