export type { Facets, LearnedItem, Selection, SelectionOption, StoredItem } from './types';
export { parseSelection } from './learning/selection';
export { extractGoal, extractPreferences, learnFromSelection, LEARNED_TAGS, phraseKey } from './learning/extract';
export { historyTags, historyText, type InteractionText } from './learning/history';
export { mergeLearned, type ItemWrite, type MergedItem } from './learning/merge';
export { learnFromInteraction, type Interaction, type Learning, type SubjectState } from './learning/learn';
export {
  personaSignals,
  registeredFacets,
  updatePersona,
  validateModelDeltas,
  type PersonaUpdate,
} from './persona/persona';
export { importance, itemsToPrune } from './pruning/prune';
export { assembleContext, estimateTokens, memoryView, rankItems, type ContextBudget } from './context/context';
