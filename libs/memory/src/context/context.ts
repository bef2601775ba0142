import type { SubjectContext, SubjectMemoryResponse } from '@metaloop/contracts';
import { importance } from '../pruning/prune';
import type { Facets, StoredItem } from '../types';

export interface ContextBudget {
  /** Estimated tokens (characters / 4) the whole context may take. */
  tokens: number;
  maxGoals: number;
  maxPreferences: number;
  maxHistory: number;
  halfLifeDays: number;
}

/** Shares of what is left after the facets; history also gets what goals and preferences leave. */
const GOAL_SHARE = 0.35;
const PREFERENCE_SHARE = 0.25;

/** Seed 002's token estimate: about four characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Goals and preferences by importance, then HISTORY newest first. */
export function rankItems(items: readonly StoredItem[], halfLifeDays: number, now: Date): StoredItem[] {
  const byImportance = (a: StoredItem, b: StoredItem) =>
    importance(b, halfLifeDays, now) - importance(a, halfLifeDays, now);
  const newest = (a: StoredItem, b: StoredItem) => b.updatedAt.getTime() - a.updatedAt.getTime();
  return [
    ...items.filter((i) => i.kind === 'GOAL').sort(byImportance),
    ...items.filter((i) => i.kind === 'PREFERENCE').sort(byImportance),
    ...items.filter((i) => i.kind === 'HISTORY').sort(newest),
  ];
}

/** `GET /subjects/{id}/memory`'s body. */
export function memoryView(
  subjectId: string,
  items: readonly StoredItem[],
  facets: Facets,
  facetsUpdatedAt: Date | undefined,
  halfLifeDays: number,
  now: Date,
): SubjectMemoryResponse {
  const latest = Math.max(facetsUpdatedAt?.getTime() ?? 0, ...items.map((i) => i.updatedAt.getTime()));
  return {
    subject_id: subjectId,
    items: rankItems(items, halfLifeDays, now).map((item) => ({
      kind: item.kind,
      text: item.text,
      weight: item.weight,
      confidence: item.confidence,
      tags: item.tags,
      agent_id: item.agentId,
      updated_at: item.updatedAt.toISOString(),
    })),
    facets,
    updated_at: latest > 0 ? new Date(latest).toISOString() : null,
  };
}

/**
 * The subject's context for a prompt (seed 002's enriched prompt): facets first, then the most
 * important goals and preferences and the most recent history, each part within its share of
 * the token budget, with the tokens each part took (`context_breakdown`).
 */
export function assembleContext(
  subjectId: string,
  items: readonly StoredItem[],
  facets: Facets,
  budget: ContextBudget,
  now: Date,
): SubjectContext {
  const ranked = rankItems(items, budget.halfLifeDays, now);
  const facetTokens = Object.keys(facets).length === 0 ? 0 : estimateTokens(JSON.stringify(facets));
  const rest = Math.max(0, budget.tokens - facetTokens);
  const pick = (kind: StoredItem['kind'], max: number, cap: number) => {
    const chosen: StoredItem[] = [];
    let used = 0;
    for (const item of ranked) {
      if (item.kind !== kind || chosen.length >= max) continue;
      const cost = estimateTokens(item.text);
      if (used + cost > cap) continue;
      chosen.push(item);
      used += cost;
    }
    return { chosen, used };
  };
  const goals = pick('GOAL', budget.maxGoals, Math.floor(rest * GOAL_SHARE));
  const preferences = pick('PREFERENCE', budget.maxPreferences, Math.floor(rest * PREFERENCE_SHARE));
  const history = pick('HISTORY', budget.maxHistory, rest - goals.used - preferences.used);
  const weighted = (item: StoredItem) => ({ text: item.text, weight: item.weight, confidence: item.confidence });
  return {
    subject_id: subjectId,
    goals: goals.chosen.map(weighted),
    preferences: preferences.chosen.map(weighted),
    history: history.chosen.map((item) => ({ text: item.text, at: item.updatedAt.toISOString() })),
    facets,
    context_breakdown: {
      goal: goals.used,
      pref: preferences.used,
      history: history.used,
      facets: facetTokens,
      total: facetTokens + goals.used + preferences.used + history.used,
      budget: budget.tokens,
    },
  };
}
