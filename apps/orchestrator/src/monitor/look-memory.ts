import type { RolloutDecision } from '@metaloop/db';
import type { PreviousPValues } from './analysis/guarded-tests';

/** What a look carries over from the one before it (all kept in that look's decision row). */
export interface LookMemory {
  /** Events of each arm when the current step began. */
  stepBaseline: { canary: number; stable: number };
  /** Running minima of the always-valid p-values. */
  pValues: PreviousPValues;
  /** When the rollout was last seen (healthy, or it would have ended): time to rollback counts from here. */
  lastLookAt: Date | null;
}

interface RecordedLook {
  step?: { baseline?: { canary: number; stable: number } };
  next_step_baseline?: { canary: number; stable: number };
  p_values?: PreviousPValues;
}

/** Read from the rollout's latest decision; a fresh rollout (its `start` row) begins from zero. */
export function lookMemory(last: RolloutDecision | null): LookMemory {
  const recorded = (last?.statistics ?? {}) as RecordedLook;
  const stepBaseline = (last?.action === 'advance' ? recorded.next_step_baseline : recorded.step?.baseline) ?? {
    canary: 0,
    stable: 0,
  };
  return { stepBaseline, pValues: recorded.p_values ?? {}, lastLookAt: last?.createdAt ?? null };
}
