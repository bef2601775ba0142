import type { AdapterConstraints, Environment } from '@metaloop/contracts';
import type { Policy } from './policy.schema';

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

/**
 * Points of traffic a route change moves: half the sum of |weight change| over all backends,
 * both routes normalised to 100 (so {a: 80, b: 20} → {a: 60, b: 40} moves 20).
 */
export function routeShiftPoints(current: Record<string, number>, target: Record<string, number>): number {
  const from = normalised(current);
  const to = normalised(target);
  let moved = 0;
  for (const backend of new Set([...Object.keys(from), ...Object.keys(to)]))
    moved += Math.abs((to[backend] ?? 0) - (from[backend] ?? 0));
  return moved / 2;
}

function normalised(weights: Record<string, number>): Record<string, number> {
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return {};
  return Object.fromEntries(Object.entries(weights).map(([backend, weight]) => [backend, (weight / total) * 100]));
}
