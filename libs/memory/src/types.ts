import type { MemoryKind } from '@metaloop/contracts';

/** A memory item as the subject's store holds it. */
export interface StoredItem {
  id: string;
  kind: MemoryKind;
  text: string;
  /** What repeats merge on: the normalized phrase (GOAL, PREFERENCE) or the event id (HISTORY). */
  key: string;
  weight: number;
  confidence: number;
  tags: string[];
  agentId: string;
  updatedAt: Date;
}

/** One option of a selection (seed 002's hypotheses). */
export interface SelectionOption {
  id: string;
  text: string;
  confidence?: number;
}

/** A parsed `explicit.selection`: the options shown and the one the subject chose. */
export interface Selection {
  options: SelectionOption[];
  selected: SelectionOption;
  /** The chosen option's position among the options, 0 for the first. */
  selectedIndex: number;
}

/** Something learned from a chosen option, before it meets what the subject already has. */
export interface LearnedItem {
  kind: 'GOAL' | 'PREFERENCE';
  text: string;
  key: string;
  confidence: number;
  tags: string[];
}

export type Facets = Record<string, number>;
