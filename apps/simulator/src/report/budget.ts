import { ACTIVE_ROLLOUT_STATUSES, type PolicyFigures, type RolloutView } from '../api/wire';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The most events in any window of `windowMs` ending at an event (a window (t − w, t], as the
 * budget counts "in the last hour"), and when it ended.
 */
export function maxInWindow(times: readonly number[], windowMs: number): { max: number; at: number | null } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = { max: 0, at: null as number | null };
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - windowMs) start++;
    if (end - start + 1 > best.max) best = { max: end - start + 1, at: sorted[end]! };
  }
  return best;
}

/** The most intervals open at once (an interval holds [start, end); end null = still open). */
export function maxConcurrent(intervals: ReadonlyArray<{ start: number; end: number | null }>): number {
  const edges = intervals.flatMap(({ start, end }) => [
    { at: start, delta: 1 },
    ...(end === null ? [] : [{ at: end, delta: -1 }]),
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const edge of edges) {
    open += edge.delta;
    most = Math.max(most, open);
  }
  return most;
}

export interface BudgetRow {
  scope: string;
  limit: number;
  /** The most the windows ever held. */
  max: number;
  exceeded: boolean;
}

/**
 * Every budget of the policy against the rollouts that were created (the budget counts rollouts
 * by creation time, whatever became of them): mutations per rolling hour, globally and per
 * environment, per type per rolling day, and rollouts in progress at once.
 */
export function budgetRows(
  rollouts: readonly RolloutView[],
  environmentOf: (agentId: string) => string | undefined,
  policy: PolicyFigures,
): BudgetRow[] {
  const created = (r: RolloutView) => Date.parse(r.created_at);
  const row = (scope: string, limit: number, max: number): BudgetRow => ({ scope, limit, max, exceeded: max > limit });
  const rows = [
    row(
      'mutations per rolling hour, all environments',
      policy.budgets.mutations_per_hour.global,
      maxInWindow(rollouts.map(created), HOUR_MS).max,
    ),
  ];
  for (const [environment, limit] of Object.entries(policy.budgets.mutations_per_hour.per_environment)) {
    const times = rollouts.filter((r) => environmentOf(r.agent_id) === environment).map(created);
    if (times.length)
      rows.push(row(`mutations per rolling hour, ${environment}`, limit, maxInWindow(times, HOUR_MS).max));
  }
  for (const [type, limit] of Object.entries(policy.budgets.mutations_per_day_by_type)) {
    const times = rollouts.filter((r) => r.mutation_type === type).map(created);
    if (times.length) rows.push(row(`${type} per rolling day`, limit, maxInWindow(times, DAY_MS).max));
  }
  const intervals = rollouts.map((r) => ({
    start: created(r),
    end: ACTIVE_ROLLOUT_STATUSES.has(r.status) ? null : Date.parse(r.finished_at ?? r.created_at),
  }));
  rows.push(row('rollouts in progress at once', policy.concurrency.max_concurrent_rollouts, maxConcurrent(intervals)));
  return rows;
}
