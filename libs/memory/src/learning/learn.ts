import type { MemoryPolicy, PersonaSignal } from '@metaloop/policies';
import { personaSignals, updatePersona, type PersonaUpdate } from '../persona/persona';
import { rankItems } from '../context/context';
import type { Facets, Selection, StoredItem } from '../types';
import { learnFromSelection } from './extract';
import { historyTags, historyText, type InteractionText } from './history';
import { mergeLearned, type ItemWrite } from './merge';

/** One ingested feedback event of a subject, as memory reads it. */
export interface Interaction extends InteractionText {
  eventId: string;
  agentId: string;
  /** The event carried a complaint (or a correction). */
  complaintGiven: boolean;
  /** Good feedback: rating ≥ 4, helpful, or success, and no complaint. */
  positive: boolean;
}

/** What the subject had before the interaction. */
export interface SubjectState {
  items: readonly StoredItem[];
  facets: Facets;
  /** Interactions remembered (HISTORY items). */
  interactionCount: number;
}

export interface Learning {
  history: { text: string; key: string; tags: string[] };
  writes: ItemWrite[];
  signals: PersonaSignal[];
  persona?: PersonaUpdate;
  /** Seed 002's selection log: the subject's context before this interaction, the options, the choice. */
  selectionLog?: {
    context: {
      persona_facets: Facets;
      interaction_count: number;
      recent_goals: string[];
      preferences: string[];
    };
    hypotheses: Array<{ id: string; question: string; confidence: number | null }>;
    selected_id: string;
    label: 'positive' | 'negative';
  };
}

const CONTEXT_ITEMS = 5;

/**
 * Everything one interaction teaches about its subject (seed 002's learning loop): a HISTORY
 * item; from a selection, the log line for training, goals and preferences merged into what the
 * subject has; the persona rules' facet moves (with a model's validated deltas, when given).
 */
export function learnFromInteraction(
  interaction: Interaction,
  state: SubjectState,
  policy: MemoryPolicy,
  now: Date,
  modelDeltas?: Facets,
): Learning {
  const { selection } = interaction;
  const signals = personaSignals({
    selection,
    complaint: interaction.complaintGiven,
    positive: interaction.positive,
  });
  const learning: Learning = {
    history: {
      text: historyText(interaction, policy.history_max_chars),
      key: interaction.eventId,
      tags: historyTags(selection),
    },
    writes: selection ? mergeLearned(state.items, learnFromSelection(selection, policy), policy) : [],
    signals,
    persona: updatePersona(state.facets, signals, policy, interaction.agentId, modelDeltas),
  };
  if (selection) learning.selectionLog = selectionLog(selection, interaction, state, policy, now);
  return learning;
}

function selectionLog(
  selection: Selection,
  interaction: Interaction,
  state: SubjectState,
  policy: MemoryPolicy,
  now: Date,
): Learning['selectionLog'] {
  const ranked = rankItems(state.items, policy.half_life_days, now);
  const texts = (kind: StoredItem['kind']) =>
    ranked
      .filter((i) => i.kind === kind)
      .slice(0, CONTEXT_ITEMS)
      .map((i) => i.text);
  return {
    context: {
      persona_facets: state.facets,
      interaction_count: state.interactionCount,
      recent_goals: texts('GOAL'),
      preferences: texts('PREFERENCE'),
    },
    hypotheses: selection.options.map((o) => ({ id: o.id, question: o.text, confidence: o.confidence ?? null })),
    selected_id: selection.selected.id,
    label: interaction.complaintGiven ? 'negative' : 'positive',
  };
}
