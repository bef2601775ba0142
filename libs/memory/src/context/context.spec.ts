import type { StoredItem } from '../types';
import { assembleContext, estimateTokens, memoryView } from './context';

const now = new Date('2026-12-07T10:00:00Z');
const item = (kind: StoredItem['kind'], text: string, weight = 1, minutesAgo = 0): StoredItem => ({
  id: text,
  kind,
  text,
  key: text,
  weight,
  confidence: 0.8,
  tags: [],
  agentId: 'a',
  updatedAt: new Date(now.getTime() - minutesAgo * 60_000),
});
const budget = { tokens: 200, maxGoals: 5, maxPreferences: 5, maxHistory: 5, halfLifeDays: 30 };

describe("the subject's context within a token budget (seed 002's context_breakdown)", () => {
  const items = [
    item('GOAL', 'build a REST API', 1),
    item('GOAL', 'containerize with Docker', 3),
    item('PREFERENCE', 'Prefers: Docker'),
    item('HISTORY', 'User requested: build api | Selected: Do you want to build a REST API?', 1, 10),
    item('HISTORY', 'User requested: deploy api | Selected: Do you want to containerize with Docker?', 1, 5),
  ];
  const facets = { concise: 0.5, step_by_step: 0.52 };

  it('goals by importance, history newest first, tokens per part', () => {
    const context = assembleContext('u1', items, facets, budget, now);
    expect(context.goals.map((g) => g.text)).toEqual(['containerize with Docker', 'build a REST API']);
    expect(context.preferences).toEqual([{ text: 'Prefers: Docker', weight: 1, confidence: 0.8 }]);
    expect(context.history.map((h) => h.text)[0]).toMatch(/deploy api/);
    const { goal, pref, history, facets: facetTokens, total } = context.context_breakdown;
    expect(goal).toBe(estimateTokens('build a REST API') + estimateTokens('containerize with Docker'));
    expect(pref).toBe(estimateTokens('Prefers: Docker'));
    expect(history).toBe(items.slice(3).reduce((sum, i) => sum + estimateTokens(i.text), 0));
    expect(total).toBe(goal + pref + history + facetTokens);
    expect(total).toBeLessThanOrEqual(200);
  });

  it.each([20, 40, 60, 100])('never more than the budget (%i tokens)', (tokens) => {
    const context = assembleContext('u1', items, facets, { ...budget, tokens }, now);
    expect(context.context_breakdown.total).toBeLessThanOrEqual(Math.max(tokens, context.context_breakdown.facets));
  });

  it('the memory view: goals, preferences, then history; updated_at the latest change', () => {
    const view = memoryView('u1', items, facets, new Date(now.getTime() - 1_000), 30, now);
    expect(view.items.map((i) => i.kind)).toEqual(['GOAL', 'GOAL', 'PREFERENCE', 'HISTORY', 'HISTORY']);
    expect(view.updated_at).toBe(now.toISOString());
    expect(memoryView('u2', [], {}, undefined, 30, now).updated_at).toBeNull();
  });
});
