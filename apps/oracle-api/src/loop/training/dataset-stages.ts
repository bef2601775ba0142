import { createHash } from 'node:crypto';
import type { DatasetManifest, FeedbackEvent } from '@metaloop/contracts';
import { contentHash } from '@metaloop/core';
import { qualityScore, type QualityMetric, type QualityWeights } from '@metaloop/policies';

/*
 * Seed 001's data pipeline as pure stages over one stored feedback event at a time:
 * artifacts → quality → positive → dedupe (by the caller's set of hashes) → split. The
 * streaming shell (dataset-builder.ts) reads pages of events and writes what these return.
 */

export type StageCounts = DatasetManifest['counts'];

export const emptyCounts = (): StageCounts => ({
  scanned: 0,
  with_artifacts: 0,
  quality_passed: 0,
  positive: 0,
  deduplicated: 0,
  rehearsal_added: 0,
  train: 0,
  validation: 0,
});

export interface DatasetFilters {
  minQuality: number;
  weights: QualityWeights;
  metrics: ReadonlyMap<string, QualityMetric>;
}

/** The part of a stored event (feedback_events.payload) the pipeline reads. */
export type StoredEvent = Pick<FeedbackEvent, 'explicit' | 'implicit' | 'metrics' | 'artifacts'>;

/** One chat example: the user's input and the answer to learn (a correction's corrected output). */
export interface SftExample {
  input: string;
  output: string;
  hash: string;
}

/** One selection: the prompt, the chosen option and the options not chosen. */
export interface PreferenceExample {
  prompt: string;
  chosen: string;
  rejected: string[];
  hash: string;
}

/** The stage an event stopped at, or the example it became (still to be deduplicated). */
export type Staged<T> = { stage: 'no_artifacts' | 'low_quality' | 'negative' } | { stage: 'kept'; example: T };

/**
 * Positive: no complaint, not marked unhelpful, no rating below 4. A correction is positive for
 * training: the person wrote the answer that should have been given.
 */
function negative(event: StoredEvent): boolean {
  const explicit = event.explicit;
  if (!explicit) return false;
  if (explicit.complaint) return true;
  if (explicit.correction) return false;
  return explicit.helpful === false || (explicit.rating !== undefined && explicit.rating < 4);
}

const text = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

export function sftStage(event: StoredEvent, filters: DatasetFilters): Staged<SftExample> {
  const input = event.artifacts?.input;
  const correction = event.explicit?.correction;
  const output = text(correction) ? correction : event.artifacts?.output;
  if (!text(input) || !text(output)) return { stage: 'no_artifacts' };
  // A correction's quality is 0 by definition (the agent's answer was wrong); the corrected answer is what is learned.
  if (!text(correction)) {
    const quality = qualityScore(event, filters.weights, filters.metrics);
    if (quality === null || quality < filters.minQuality) return { stage: 'low_quality' };
  }
  if (negative(event)) return { stage: 'negative' };
  return { stage: 'kept', example: { input, output, hash: contentHash({ input, output }) } };
}

interface SelectionOption {
  id: string;
  text: string;
}

function selectionOf(event: StoredEvent): { options: SelectionOption[]; selectedId: string } | undefined {
  const selection = event.explicit?.selection as { options?: unknown; selected_id?: unknown } | undefined;
  if (!selection || !Array.isArray(selection.options) || typeof selection.selected_id !== 'string') return undefined;
  const options = selection.options.filter(
    (o): o is SelectionOption =>
      typeof o === 'object' &&
      o !== null &&
      typeof (o as SelectionOption).id === 'string' &&
      text((o as SelectionOption).text),
  );
  return { options, selectedId: selection.selected_id };
}

/**
 * A selection log (seed 002) as preference pairs: the chosen option against each option not
 * chosen. The selection is the judgment, so the quality score is not applied; a complaint
 * still drops it.
 */
export function preferenceStage(event: StoredEvent): Staged<PreferenceExample> {
  const prompt = event.artifacts?.input;
  const selection = selectionOf(event);
  const chosen = selection?.options.find((o) => o.id === selection.selectedId);
  const rejected = selection?.options.filter((o) => o.id !== selection.selectedId && o.text !== chosen?.text) ?? [];
  if (!text(prompt) || !chosen || rejected.length === 0) return { stage: 'no_artifacts' };
  if (event.explicit?.complaint) return { stage: 'negative' };
  const example = { prompt, chosen: chosen.text, rejected: rejected.map((o) => o.text) };
  return { stage: 'kept', example: { ...example, hash: contentHash(example) } };
}

/** Counts an event's stage: every stage it passed adds one. */
export function countStage(counts: StageCounts, stage: Staged<unknown>['stage']): void {
  counts.scanned++;
  if (stage === 'no_artifacts') return;
  counts.with_artifacts++;
  if (stage === 'low_quality') return;
  counts.quality_passed++;
  if (stage === 'negative') return;
  counts.positive++;
}

/**
 * Train or validation, by a seeded hash of the content hash: the same seed and content always
 * land on the same side, whatever order the events come in.
 */
export function splitOf(hash: string, seed: number, validationShare: number): 'train' | 'validation' {
  const h = createHash('sha256').update(`${seed}:${hash}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < validationShare ? 'validation' : 'train';
}

/** How many rehearsal examples make them `share` of the dataset next to `fresh` new ones. */
export function rehearsalTarget(fresh: number, share: number): number {
  if (share <= 0 || fresh === 0) return 0;
  if (share >= 1) return fresh;
  return Math.round((fresh * share) / (1 - share));
}

/** A chat-format line (OpenAI / vLLM fine-tuning). */
export function sftLine(example: Pick<SftExample, 'input' | 'output'>): string {
  return `${JSON.stringify({
    messages: [
      { role: 'user', content: example.input },
      { role: 'assistant', content: example.output },
    ],
  })}\n`;
}

/** DPO lines: one per rejected option. */
export function preferenceLines(example: PreferenceExample): string[] {
  return example.rejected.map(
    (rejected) => `${JSON.stringify({ prompt: example.prompt, chosen: example.chosen, rejected })}\n`,
  );
}

/** A short, fixed-size key for the dedupe set (96 bits of the sha256): memory grows with distinct examples only. */
export const dedupeKey = (hash: string) => hash.slice(0, 24);
