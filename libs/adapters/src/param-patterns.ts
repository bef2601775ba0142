import type { AdapterConstraints } from './constraints';

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
export function paramKeyVerdict(params: AdapterConstraints['params'], key: string): 'allowed' | 'not_allowed' | 'forbidden' {
  if (params.forbid.some((pattern) => paramPatternMatches(pattern, key))) return 'forbidden';
  if (params.allow.length === 0) return 'allowed';
  return params.allow.some((pattern) => paramPatternMatches(pattern, key)) ? 'allowed' : 'not_allowed';
}
