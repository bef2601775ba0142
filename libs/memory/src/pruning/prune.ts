import type { MemoryPolicy } from '@metaloop/policies';
import type { StoredItem } from '../types';

const DAY_MS = 86_400_000;

/** A goal's or preference's importance: weight × confidence, halved every halfLifeDays since it was last learned. */
export function importance(
  item: Pick<StoredItem, 'weight' | 'confidence' | 'updatedAt'>,
  halfLifeDays: number,
  now: Date,
) {
  const ageDays = Math.max(0, now.getTime() - item.updatedAt.getTime()) / DAY_MS;
  return item.weight * item.confidence * 0.5 ** (ageDays / halfLifeDays);
}

/**
 * The items a subject no longer keeps: HISTORY past its retention, and beyond the caps the least
 * important goals and preferences and the oldest HISTORY.
 */
export function itemsToPrune(items: readonly StoredItem[], policy: MemoryPolicy, now: Date): string[] {
  const cutoff = now.getTime() - policy.history_retention_days * DAY_MS;
  const pruned: string[] = [];
  const history = items.filter((i) => i.kind === 'HISTORY');
  const kept = history.filter((i) => {
    if (i.updatedAt.getTime() >= cutoff) return true;
    pruned.push(i.id);
    return false;
  });
  const newestFirst = kept.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  pruned.push(...newestFirst.slice(policy.max_history).map((i) => i.id));
  for (const [kind, cap] of [
    ['GOAL', policy.max_goals],
    ['PREFERENCE', policy.max_preferences],
  ] as const) {
    const ranked = items
      .filter((i) => i.kind === kind)
      .sort((a, b) => importance(b, policy.half_life_days, now) - importance(a, policy.half_life_days, now));
    pruned.push(...ranked.slice(cap).map((i) => i.id));
  }
  return pruned;
}
