import type { Environment } from '@metaloop/events';
import type { Policy } from './policy.schema';

/** The per-action limits an adapter applies when it derives a candidate config. */
export interface AdapterConstraints {
  route: { maxShiftPoints: number };
  params: { allow: string[]; forbid: string[]; bounds: Record<string, { min?: number; max?: number }> };
  memory: { maxFacts: number; maxExamples: number };
}

/**
 * The policy's action limits for one environment: its `per_environment` entry over the general
 * ones, where `forbid` only ever grows and `bounds` merge by param.
 */
export function adapterConstraints(policy: Policy, environment: Environment): AdapterConstraints {
  const { ROUTE_CHANGE: route, PARAM_SET: params, MEMORY_UPDATE: memory, per_environment } = policy.actions;
  const own = per_environment[environment];
  return {
    route: { maxShiftPoints: own?.ROUTE_CHANGE?.max_shift_points ?? route.max_shift_points },
    params: {
      allow: own?.PARAM_SET?.allow ?? params.allow,
      forbid: [...new Set([...params.forbid, ...(own?.PARAM_SET?.forbid ?? [])])],
      bounds: { ...params.bounds, ...own?.PARAM_SET?.bounds },
    },
    memory: {
      maxFacts: own?.MEMORY_UPDATE?.max_facts ?? memory.max_facts,
      maxExamples: own?.MEMORY_UPDATE?.max_examples ?? memory.max_examples,
    },
  };
}

// Patterns come from the policy, so there are few of them; compiling each once keeps validation cheap.
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
 * Whether a PARAM_SET may touch `key`: it must match no forbid entry and, unless the allow list
 * is empty (as in libs/adapters: any param that is not forbidden), an allow entry.
 */
export function paramKeyVerdict(params: AdapterConstraints['params'], key: string): 'allowed' | 'not_allowed' | 'forbidden' {
  if (params.forbid.some((pattern) => paramPatternMatches(pattern, key))) return 'forbidden';
  if (params.allow.length === 0) return 'allowed';
  return params.allow.some((pattern) => paramPatternMatches(pattern, key)) ? 'allowed' : 'not_allowed';
}

/**
 * Points of traffic a route change moves: half the sum of |weight change| over all backends,
 * both routes normalised to 100 (so {a: 80, b: 20} → {a: 60, b: 40} moves 20).
 */
export function routeShiftPoints(current: Record<string, number>, target: Record<string, number>): number {
  const from = normalised(current);
  const to = normalised(target);
  let moved = 0;
  for (const backend of new Set([...Object.keys(from), ...Object.keys(to)])) moved += Math.abs((to[backend] ?? 0) - (from[backend] ?? 0));
  return moved / 2;
}

function normalised(weights: Record<string, number>): Record<string, number> {
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return {};
  return Object.fromEntries(Object.entries(weights).map(([backend, weight]) => [backend, (weight / total) * 100]));
}
