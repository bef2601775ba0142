import { memoryPolicySchema } from '@metaloop/policies';
import type { StoredItem } from '../types';
import { importance, itemsToPrune } from './prune';

const now = new Date('2026-12-07T10:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const item = (id: string, kind: StoredItem['kind'], weight: number, confidence: number, age: number): StoredItem => ({
  id,
  kind,
  text: id,
  key: id,
  weight,
  confidence,
  tags: [],
  agentId: 'a',
  updatedAt: daysAgo(age),
});

describe('memory is bounded and decays', () => {
  const policy = memoryPolicySchema.parse({
    max_goals: 2,
    max_preferences: 1,
    max_history: 2,
    history_retention_days: 30,
    half_life_days: 10,
  });

  it('importance halves every half-life', () => {
    expect(importance(item('g', 'GOAL', 2, 0.5, 0), 10, now)).toBe(1);
    expect(importance(item('g', 'GOAL', 2, 0.5, 10), 10, now)).toBeCloseTo(0.5);
  });

  it('prunes history past retention, then beyond the caps the oldest history and the least important goals and preferences', () => {
    const items = [
      item('h-new', 'HISTORY', 1, 1, 0),
      item('h-mid', 'HISTORY', 1, 1, 5),
      item('h-old', 'HISTORY', 1, 1, 10),
      item('h-expired', 'HISTORY', 1, 1, 31),
      item('g-heavy-old', 'GOAL', 8, 0.9, 20), // 7.2 / 4 = 1.8
      item('g-light-new', 'GOAL', 1, 0.9, 0), // 0.9
      item('g-light-old', 'GOAL', 1, 0.9, 10), // 0.45
      item('p-a', 'PREFERENCE', 2, 0.8, 0),
      item('p-b', 'PREFERENCE', 1, 0.8, 0),
    ];
    expect(itemsToPrune(items, policy, now).sort()).toEqual(['g-light-old', 'h-expired', 'h-old', 'p-b']);
  });

  it('nothing to prune within the caps', () => {
    expect(itemsToPrune([item('h', 'HISTORY', 1, 1, 1), item('g', 'GOAL', 1, 1, 1)], policy, now)).toEqual([]);
  });
});
