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
  /** oracle-api's training datasets: build one, then deliver its training request to the trainer. */
  training: 'training',
  /** oracle-api's weekly/monthly reports (seed 003). */
  reports: 'reports',
} as const;

export const JOBS = {
  purgeRawEvents: 'purge-raw-events',
  tick: 'tick',
  executePlan: 'execute-plan',
  monitorRollout: 'monitor-rollout',
  revertAdapter: 'revert-adapter',
  buildDataset: 'build-dataset',
  deliverTrainingRequest: 'deliver-training-request',
  generateReports: 'generate-reports',
} as const;

/** BullMQ job options, as plain data. */
export interface QueuedJobOptions {
  jobId: string;
  removeOnComplete: number;
  removeOnFail: number;
}

/** Finished jobs kept a while for bull-board: the last 1000 completed, the last 5000 failed. */
const FINISHED_JOBS_KEPT = { removeOnComplete: 1000, removeOnFail: 5000 };

/** One execute-plan job per plan: the plan id is the job id, so a plan queued twice is added once. */
export function executePlanJobOptions(planId: string): QueuedJobOptions {
  return { jobId: planId, ...FINISHED_JOBS_KEPT };
}

/** One revert job per rollout: the id dedupes it while it waits. */
export function revertJobOptions(rolloutId: string): QueuedJobOptions {
  return { jobId: `revert-${rolloutId}`, ...FINISHED_JOBS_KEPT };
}

/** One build job per dataset (its id dedupes it). */
export function buildDatasetJobOptions(datasetId: string): QueuedJobOptions & { attempts: number } {
  return { jobId: `dataset-${datasetId}`, attempts: 1, ...FINISHED_JOBS_KEPT };
}

/** One delivery per training request, retried with exponential backoff (1 s, 2 s, 4 s, … eight tries). */
export function deliverTrainingJobOptions(
  trainingRequestId: string,
): QueuedJobOptions & { attempts: number; backoff: { type: 'exponential'; delay: number } } {
  return {
    jobId: `training-${trainingRequestId}`,
    attempts: 8,
    backoff: { type: 'exponential', delay: 1_000 },
    ...FINISHED_JOBS_KEPT,
  };
}

export interface BuildDatasetJob {
  dataset_id: string;
  /** Set when the dataset is for a training request: it is delivered once the dataset is ready. */
  training_request_id?: string;
}

export interface DeliverTrainingRequestJob {
  training_request_id: string;
}

export interface PurgeRawEventsJob {
  /** Raw events and system metrics received before now − retentionDays are deleted. */
  retentionDays: number;
}

/** Makes the fleet-wide report of the last complete period of each, unless it exists. */
export interface GenerateReportsJob {
  periods: Array<'weekly' | 'monthly'>;
}

export interface TickJob {
  trigger: 'schedule';
}

/** The plan is read from Postgres by id: a job never carries a copy that could differ. */
export interface ExecutePlanJob {
  plan_id: string;
  /** Who asked for it (API key actor or `system:tick`), for the audit trail. */
  requested_by: string;
  /**
   * The W3C trace context of the tick or request that queued it, so the orchestrator's launch
   * continues that trace; absent when tracing is off.
   */
  trace?: { traceparent: string; tracestate?: string };
}

export interface MonitorRolloutJob {
  rollout_id: string;
}

export interface RevertAdapterJob {
  rollout_id: string;
  /** The W3C trace context of the rollback (or failed launch) that queued it, when traced. */
  trace?: { traceparent: string; tracestate?: string };
}
