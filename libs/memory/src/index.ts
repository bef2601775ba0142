export type { Facets, Selection, StoredItem } from './types';
export { parseSelection } from './learning/selection';
export { learnFromInteraction, type Interaction } from './learning/learn';
export { registeredFacets, validateModelDeltas } from './persona/persona';
export { itemsToPrune } from './pruning/prune';
export { assembleContext, memoryView, type ContextBudget } from './context/context';
