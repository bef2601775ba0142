import type { FindingView, PlanView } from '../api/wire';

/** A plan in one of these still holds its findings: it may yet be rolled out. */
export const LIVE_PLAN_STATUSES: ReadonlySet<string> = new Set([
  'draft',
  'validated',
  'awaiting_approval',
  'approved',
  'queued',
  'executing',
]);

/** The rule, as printed beside the figure. */
export const STALLED_DEFINITION =
  'checked right after each tick: an `open` finding that was open after the tick before too (a whole tick neither planned, deferred nor resolved it), or a `planned` finding no live plan (draft, validated, awaiting_approval, approved, queued, executing) holds';

/** One check after a tick: when (epoch ms) and what was stuck. */
export interface StallCheck {
  at: number;
  stalled: StalledFinding[];
  byWhy: Record<string, number>;
  /** Findings open at this check: the next check's `openBefore`. */
  open: string[];
}

export interface StalledFinding {
  finding_id: string;
  agent_id: string;
  type: string;
  status: string;
  why: string;
}

/**
 * The findings that are stuck, judged right after a tick finished (ticks are single-flight, and
 * in the benchmark only ticks analyze, so no new finding appears between ticks):
 * - `open` now and at the check after the tick before (`openBefore`): a whole tick neither
 *   planned it nor deferred it (with a reason a later tick re-checks), nor resolved it. A finding
 *   opened between two ticks — its rollout rolled back or retired, its plan rejected — is not
 *   stuck until the next tick has had its turn;
 * - `planned`: no live plan (draft, validated, awaiting_approval, approved, queued, executing)
 *   holds it — its plan was blocked, rejected, expired or finished without releasing it.
 * `deferred`, `resolved`, `superseded` and `dismissed` findings are not stuck.
 */
export function stalledFindings(
  findings: readonly FindingView[],
  plans: readonly PlanView[],
  openBefore: ReadonlySet<string>,
): StalledFinding[] {
  const plansOf = new Map<string, PlanView[]>();
  for (const plan of plans) {
    for (const id of plan.finding_ids ?? []) plansOf.set(id, [...(plansOf.get(id) ?? []), plan]);
  }
  const stalled: StalledFinding[] = [];
  for (const f of findings) {
    const base = { finding_id: f.finding_id, agent_id: f.agent_id, type: f.type, status: f.status };
    if (f.status === 'open') {
      if (openBefore.has(f.finding_id))
        stalled.push({ ...base, why: 'open through a whole tick: neither planned nor deferred' });
    } else if (f.status === 'planned') {
      const holding = plansOf.get(f.finding_id) ?? [];
      if (holding.some((p) => LIVE_PLAN_STATUSES.has(p.status))) continue;
      const newest = [...holding].sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
      stalled.push({
        ...base,
        why: newest ? `planned, but its plan is ${newest.status}` : 'planned, but no plan holds it',
      });
    }
  }
  return stalled;
}

/** Stalled findings counted by their reason, e.g. {"planned, but its plan is blocked": 6}. */
export function countByWhy(stalled: readonly StalledFinding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of stalled) counts[`${s.type}: ${s.why}`] = (counts[`${s.type}: ${s.why}`] ?? 0) + 1;
  return counts;
}
