/**
 * The policy's limits on what a mutation may change: plain data, written by libs/policies from
 * the policy YAML (`adapterConstraints(policy, environment)`) and enforced by libs/adapters. It
 * lives here, below both, so the gates and the adapters share one definition without either
 * depending on the other.
 */
export interface AdapterConstraints {
  route: {
    /** Largest allowed shift: half the sum of |new - old| over the weights normalised to 100. */
    maxShiftPoints: number;
  };
  params: {
    /** Params a PARAM_SET may touch; empty = any that is not forbidden. Entries are patterns (see paramKeyVerdict). */
    allow: string[];
    /** Patterns no PARAM_SET may touch, allowed or not. */
    forbid: string[];
    bounds: Record<string, { min?: number; max?: number }>;
  };
  memory: { maxFacts: number; maxExamples: number };
}

/**
 * The default policy's limits. libs/policies takes its defaults from here, so an adapter used
 * without a policy and the default policy file enforce the same limits.
 */
export const DEFAULT_ADAPTER_CONSTRAINTS: AdapterConstraints = {
  route: { maxShiftPoints: 20 },
  params: {
    allow: [
      'temperature',
      'top_p',
      'top_k',
      'max_tokens',
      'timeout_ms',
      'presence_penalty',
      'frequency_penalty',
      'repetition_penalty',
    ],
    forbid: ['*model*', 'provider', '*api_key*', '*secret*', '*password*', '*url*', '*endpoint*'],
    bounds: {
      temperature: { min: 0, max: 1.5 },
      top_p: { min: 0, max: 1 },
      top_k: { min: 1, max: 200 },
      max_tokens: { min: 1, max: 8192 },
      timeout_ms: { min: 1000, max: 120_000 },
      presence_penalty: { min: -2, max: 2 },
      frequency_penalty: { min: -2, max: 2 },
      repetition_penalty: { min: 0.5, max: 2 },
    },
  },
  memory: { maxFacts: 100, maxExamples: 50 },
};

// Patterns come from the policy, so there are few of them; compiling each once keeps checks cheap.
const compiledPatterns = new Map<string, RegExp>();

/** `*` matches any run of characters; case-insensitive. */
export function paramPatternMatches(pattern: string, key: string): boolean {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*');
    compiled = new RegExp(`^${source}$`, 'i');
    compiledPatterns.set(pattern, compiled);
  }
  return compiled.test(key);
}

/**
 * Whether a PARAM_SET may touch `key`: it must match no forbid pattern and, unless the allow
 * list is empty (any param that is not forbidden), an allow pattern. The SPEC gates and the
 * adapter judge by this one function.
 */
export function paramKeyVerdict(
  params: AdapterConstraints['params'],
  key: string,
): 'allowed' | 'not_allowed' | 'forbidden' {
  if (params.forbid.some((pattern) => paramPatternMatches(pattern, key))) return 'forbidden';
  if (params.allow.length === 0) return 'allowed';
  return params.allow.some((pattern) => paramPatternMatches(pattern, key)) ? 'allowed' : 'not_allowed';
}
