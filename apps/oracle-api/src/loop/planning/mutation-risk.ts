import type { Environment, MutationType } from '@metaloop/contracts';

/** How much can go wrong, by kind of change: a parameter nudge is cheap to get wrong, a model swap is not. */
const TYPE_RISK: Record<MutationType, number> = {
  PARAM_SET: 2,
  MEMORY_UPDATE: 2,
  PROMPT_PATCH: 3,
  ROUTE_CHANGE: 4,
  LORA_APPLY: 5,
  MODEL_SWAP: 6,
};

const ENVIRONMENT_RISK: Record<Environment, number> = { dev: 0, staging: 1, prod: 2 };

/**
 * Risk 1–10 of a mutation: its type, where it runs, and whether the change is large for its
 * kind (`large`: e.g. a parameter moved by more than half, a route shift over 10 points).
 */
export function mutationRisk(type: MutationType, environment: Environment, large: boolean): number {
  return Math.min(10, Math.max(1, TYPE_RISK[type] + ENVIRONMENT_RISK[environment] + (large ? 1 : 0)));
}
