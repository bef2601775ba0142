import { requireCandidate } from './candidates';
import type { AdapterDefinition } from './define-adapter';
import { AdapterError } from './errors';

type Weights = Record<string, number>;

/**
 * Route weights over registered backends, normalised to 100, the shift capped by policy. With a
 * router webhook configured the weights are posted at promote, not at apply: the user's router
 * moves all of the agent's traffic, while the canary serves the new weights only to its share of
 * sessions (through their config), so the router must not hear of them before promotion.
 */
export const routeChange: AdapterDefinition<'ROUTE_CHANGE'> = {
  type: 'ROUTE_CHANGE',
  derive(ctx, params, endpoints) {
    const before = ctx.parent.route?.weights;
    if (!before)
      throw new AdapterError(
        'incompatible',
        'the parent config has no route to change; give the baseline a route over registered backends',
        'params.weights',
      );
    for (const backend of Object.keys(params.weights))
      requireCandidate(ctx, 'backend', backend, `params.weights.${backend}`);
    const after = normaliseTo100(params.weights);
    const shift = shiftPoints(before, after);
    if (shift === 0) throw new AdapterError('no_change', 'the weights move no traffic', 'params.weights');
    const { maxShiftPoints } = ctx.constraints.route;
    if (shift > maxShiftPoints) {
      throw new AdapterError(
        'constraint_violation',
        `the route shifts ${shift} points, the policy allows at most ${maxShiftPoints}`,
        'params.weights',
      );
    }
    return {
      config: { ...ctx.parent, route: { weights: after } },
      summary: { weights: { before, after }, shift_points: shift },
      side_effects: endpoints.router
        ? [{ phase: 'promote', effect: { kind: 'router_weights', weights: after, previous_weights: before } }]
        : [],
    };
  },
};

/** Percentages with two decimals that sum to exactly 100 (largest remainder over 10,000 basis points). */
export function normaliseTo100(weights: Weights): Weights {
  const entries = Object.entries(weights);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  if (total <= 0) throw new AdapterError('invalid_params', 'the weights sum to 0', 'params.weights');
  const exact = entries.map(([backend, weight]) => ({ backend, points: (weight / total) * 10_000 }));
  const floors = exact.map(({ backend, points }) => ({
    backend,
    basis: Math.floor(points),
    remainder: points - Math.floor(points),
  }));
  let left = 10_000 - floors.reduce((sum, { basis }) => sum + basis, 0);
  for (const entry of [...floors].sort((a, b) => b.remainder - a.remainder)) {
    if (left-- <= 0) break;
    entry.basis += 1;
  }
  return Object.fromEntries(floors.map(({ backend, basis }) => [backend, basis / 100]));
}

/** Half the sum of absolute weight changes: the share of traffic that moves, in points. */
export function shiftPoints(before: Weights, after: Weights): number {
  const backends = new Set([...Object.keys(before), ...Object.keys(after)]);
  const moved = [...backends].reduce(
    (sum, backend) => sum + Math.abs((after[backend] ?? 0) - (before[backend] ?? 0)),
    0,
  );
  return Math.round(moved * 50) / 100;
}
