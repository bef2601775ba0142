import { hash } from 'node:crypto';
import type { Arm } from '@metaloop/contracts';

/** Rollout weights are in basis points: 10,000 buckets, a session falls in one per rollout. */
export const ARM_BUCKETS = 10_000;

/**
 * The bucket of a session in a rollout: the first four bytes of sha256("<rollout_id>:<session_id>"),
 * big-endian, mod 10,000. It depends on nothing else, so every replica (and an agent SDK)
 * computes the same one, and a session keeps its bucket for the rollout's whole life.
 */
export function armBucket(rolloutId: string, sessionId: string): number {
  return hash('sha256', `${rolloutId}:${sessionId}`, 'buffer').readUInt32BE(0) % ARM_BUCKETS;
}

/**
 * Canary when the session's bucket is below the weight. The bucket is fixed, so raising the
 * weight only moves sessions from stable to canary, never back, and lowering it the reverse.
 */
export function stickyArm(rollout: { rolloutId: string; weightBp: number } | null, sessionId: string): Arm {
  if (!rollout || rollout.weightBp <= 0) return 'stable';
  if (rollout.weightBp >= ARM_BUCKETS) return 'canary';
  return armBucket(rollout.rolloutId, sessionId) < rollout.weightBp ? 'canary' : 'stable';
}
