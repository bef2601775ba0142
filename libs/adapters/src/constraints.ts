/** The policy's limits on what a mutation may change; plain data, produced by libs/policies from the policy YAML. */
export interface AdapterConstraints {
  route: {
    /** Largest allowed shift: half the sum of |new - old| over the weights normalised to 100. */
    maxShiftPoints: number;
  };
  params: {
    /** Params a PARAM_SET may touch; empty = any that is not forbidden. */
    allow: string[];
    forbid: string[];
    bounds: Record<string, { min?: number; max?: number }>;
  };
  memory: { maxFacts: number; maxExamples: number };
}

export const DEFAULT_ADAPTER_CONSTRAINTS: AdapterConstraints = {
  route: { maxShiftPoints: 20 },
  params: { allow: [], forbid: [], bounds: {} },
  memory: { maxFacts: 500, maxExamples: 200 },
};
