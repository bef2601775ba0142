/** Size limits of the wire contract; bodies beyond them are answered 400/413, never stored. */
export const LIMITS = {
  idLength: 128,
  sessionIdLength: 256,
  shortText: 2_000,
  longText: 10_000,
  artifactText: 32_768,
  tags: 32,
  tagLength: 64,
  metrics: 50,
  labels: 32,
  jsonDepth: 8,
  jsonKeys: 100,
  jsonArrayItems: 100,
  bulkEvents: 1_000,
  /** Client clocks drift; a timestamp further ahead than this is a bug, not feedback. */
  futureTimestampMs: 300_000,
} as const;
