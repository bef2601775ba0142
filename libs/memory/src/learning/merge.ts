import type { MemoryPolicy } from '@metaloop/policies';
import type { LearnedItem, StoredItem } from '../types';
import { phraseTokens, round } from './extract';

type MergedItem = LearnedItem & { weight: number };

/** A write to the subject's goals and preferences: a new item, or an existing one learned again. */
export type ItemWrite = { op: 'insert'; item: MergedItem } | { op: 'update'; id: string; item: MergedItem };

type Entry = MergedItem & { id?: string };

/**
 * Merges what an interaction taught into what the subject already has (seed 002: repeated goals
 * gain weight instead of piling up). The same phrase (by its content words), or one whose words
 * the other contains ("build a REST API" / "build a REST API with FastAPI"), is the same item: its
 * weight grows by weight_increment (up to max_weight), its confidence is the higher, its text the
 * more specific. Anything else is new, at weight 1.
 */
export function mergeLearned(
  existing: readonly StoredItem[],
  learned: readonly LearnedItem[],
  policy: MemoryPolicy,
): ItemWrite[] {
  const known: Entry[] = existing
    .filter((item) => item.kind !== 'HISTORY')
    .map(({ id, kind, text, key, weight, confidence, tags }) => ({
      id,
      kind: kind as LearnedItem['kind'],
      text,
      key,
      weight,
      confidence,
      tags,
    }));
  const touched = new Set<Entry>();
  for (const item of learned) {
    const same = known.filter((k) => k.kind === item.kind);
    const match = same.find((k) => k.key === item.key) ?? same.find((k) => contains(k.key, item.key));
    if (!match) {
      const entry: Entry = { ...item, tags: [...item.tags], weight: 1 };
      known.push(entry);
      touched.add(entry);
      continue;
    }
    const specific = phraseTokens(item.text).length > phraseTokens(match.text).length ? item : match;
    match.text = specific.text;
    match.key = specific.key;
    match.confidence = round(Math.max(match.confidence, item.confidence));
    match.tags = [...new Set([...match.tags, ...item.tags])];
    match.weight = round(Math.min(policy.max_weight, match.weight + policy.weight_increment));
    touched.add(match);
  }
  return [...touched].map(({ id, ...item }): ItemWrite => (id ? { op: 'update', id, item } : { op: 'insert', item }));
}

/** Either phrase's content words contain the other's (two words at least, so "API" alone merges nothing). */
function contains(a: string, b: string): boolean {
  const ta = new Set(a.split(' ').filter(Boolean));
  const tb = new Set(b.split(' ').filter(Boolean));
  const [small, large] = ta.size <= tb.size ? [ta, tb] : [tb, ta];
  return small.size >= 2 && [...small].every((t) => large.has(t));
}
