import { DelayedError, UnrecoverableError, type Job } from 'bullmq';

/** A job that cannot succeed by running again (the plan is gone, or in a state that does not run). */
export class PointlessJobError extends Error {}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/**
 * Runs a job's work; a passing failure (database or Redis away) puts the job back, delayed with
 * exponential backoff, until `maxAttempts`; a pointless one stops it for good. The jobs are added
 * by other apps (oracle-api queues plans), so their BullMQ `attempts` are not ours to rely on.
 * `giveUp` runs once the attempts are spent, before the last error fails the job.
 */
export async function withRetries<T>(
  job: Job,
  token: string | undefined,
  policy: RetryPolicy,
  work: () => Promise<T>,
  giveUp: (error: Error) => Promise<void>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PointlessJobError) throw new UnrecoverableError(error.message);
    if (job.attemptsStarted >= policy.maxAttempts) {
      await giveUp(error as Error);
      throw error;
    }
    const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, job.attemptsStarted - 1));
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError(`retrying in ${delay} ms: ${(error as Error).message}`);
  }
}
