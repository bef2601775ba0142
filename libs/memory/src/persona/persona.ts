import type { MemoryPolicy, PersonaSignal } from '@metaloop/policies';
import { round } from '../learning/extract';
import type { Facets, Selection } from '../types';

/** What an interaction says about the subject, in the persona rules' terms. */
export function personaSignals(interaction: {
  selection?: Selection;
  complaint: boolean;
  positive: boolean;
}): PersonaSignal[] {
  const signals: PersonaSignal[] = [];
  if (interaction.selection) signals.push(interaction.selection.selectedIndex === 0 ? 'first_option' : 'later_option');
  if (interaction.complaint) signals.push('complaint');
  else if (interaction.positive) signals.push('positive');
  return signals;
}

/** The facets a subject of this agent has: the global ones and the agent's, each at its start value unless known. */
export function registeredFacets(current: Facets, policy: MemoryPolicy, agentId: string): Facets {
  return { ...policy.facets, ...(policy.agent_facets[agentId] ?? {}), ...current };
}

export interface PersonaUpdate {
  oldFacets: Facets;
  newFacets: Facets;
  /** The moves actually made (after clamping), by facet; only facets that moved. */
  deltas: Facets;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * Applies the rules whose signal holds (and a model's proposed deltas, already validated), each
 * facet's summed delta clamped to ±max_delta and its value to [0, 1]. Undefined when nothing moved.
 */
export function updatePersona(
  current: Facets,
  signals: readonly PersonaSignal[],
  policy: MemoryPolicy,
  agentId: string,
  modelDeltas: Facets = {},
): PersonaUpdate | undefined {
  const oldFacets = registeredFacets(current, policy, agentId);
  const wanted: Facets = {};
  for (const rule of policy.persona_rules)
    if (signals.includes(rule.when)) wanted[rule.facet] = (wanted[rule.facet] ?? 0) + rule.delta;
  for (const [facet, delta] of Object.entries(modelDeltas)) wanted[facet] = (wanted[facet] ?? 0) + delta;
  const newFacets = { ...oldFacets };
  const deltas: Facets = {};
  for (const [facet, delta] of Object.entries(wanted)) {
    const before = oldFacets[facet] ?? 0.5;
    const after = round(clamp(before + clamp(delta, -policy.max_delta, policy.max_delta), 0, 1));
    newFacets[facet] = after;
    if (after !== before) deltas[facet] = round(after - before);
  }
  if (Object.keys(deltas).length === 0) return undefined;
  return { oldFacets, newFacets, deltas };
}

/**
 * A model's proposed deltas (`{facet_updates: {name: delta}}` or `{name: delta}`), kept only for
 * registered facets and finite numbers, each clamped to ±max_delta. Undefined when nothing usable.
 */
export function validateModelDeltas(raw: unknown, registered: Facets, maxDelta: number): Facets | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const body = raw as Record<string, unknown>;
  const updates = typeof body.facet_updates === 'object' && body.facet_updates !== null ? body.facet_updates : body;
  const valid: Facets = {};
  for (const [facet, delta] of Object.entries(updates as Record<string, unknown>)) {
    if (!(facet in registered) || typeof delta !== 'number' || !Number.isFinite(delta)) continue;
    valid[facet] = round(clamp(delta, -maxDelta, maxDelta));
  }
  return Object.keys(valid).length > 0 ? valid : undefined;
}
