import type { Evidence, FindingType, Severity } from '@metaloop/contracts';

/** A finding as a detector proposes it, before the multiple-testing correction and persistence. */
export interface FindingDraft {
  type: FindingType;
  agent_id: string;
  /** null for agent-level findings and for events without a revision. */
  revision_id: string | null;
  severity: Severity;
  /** In [0, 1]; for a tested finding 1 − its adjusted p-value (set by `Detections.finish`). */
  confidence: number;
  summary: string;
  evidence: Evidence;
  dedup_key: string;
}
