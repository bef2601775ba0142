import type { JobsOptions } from 'bullmq';

/** One revert job per rollout (the id dedupes it while it waits); finished ones are kept a while for bull-board. */
export function revertJobOptions(rolloutId: string): JobsOptions {
  return { jobId: `revert-${rolloutId}`, removeOnComplete: 1000, removeOnFail: 5000 };
}
