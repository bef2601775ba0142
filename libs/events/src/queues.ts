/** BullMQ queue names and job payloads, beside the NATS subjects: the other half of the bus. */
export const QUEUES = {
  /** Housekeeping of oracle-api: raw-event retention purge. */
  maintenance: 'maintenance',
} as const;

export const JOBS = {
  purgeRawEvents: 'purge-raw-events',
} as const;

export interface PurgeRawEventsJob {
  /** Raw events and system metrics received before now − retentionDays are deleted. */
  retentionDays: number;
}
