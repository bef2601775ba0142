/** BullMQ queue names and job payloads, beside the NATS subjects: the other half of the bus. */
export const QUEUES = {
  /** Housekeeping of oracle-api: raw-event retention purge. */
  maintenance: 'maintenance',
  /** oracle-api's scheduled tick (analyze → plan → validate → execute). */
  oracle: 'oracle',
  /** Validated (and approved) plans handed to the orchestrator. */
  plans: 'plans',
  /** The orchestrator's periodic look at each running rollout. */
  rollouts: 'rollouts',
  /** Undoing an adapter's side effects after a rollback, retried until done. */
  reverts: 'reverts',
} as const;

export const JOBS = {
  purgeRawEvents: 'purge-raw-events',
  tick: 'tick',
  executePlan: 'execute-plan',
  monitorRollout: 'monitor-rollout',
  revertAdapter: 'revert-adapter',
} as const;

export interface PurgeRawEventsJob {
  /** Raw events and system metrics received before now − retentionDays are deleted. */
  retentionDays: number;
}

export interface TickJob {
  trigger: 'schedule';
}

/** The plan is read from Postgres by id: a job never carries a copy that could differ. */
export interface ExecutePlanJob {
  plan_id: string;
  /** Who asked for it (API key actor or `system:tick`), for the audit trail. */
  requested_by: string;
}

export interface MonitorRolloutJob {
  rollout_id: string;
}

export interface RevertAdapterJob {
  rollout_id: string;
}
