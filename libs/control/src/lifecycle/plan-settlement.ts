import type { Prisma } from '@metaloop/db';
import { FINISHED_MUTATION_STATUSES, MUTATION, PLAN, type MutationState } from './lifecycle-states';

type PlanMutation = { status: MutationState; agentId: string };

const isFinished = (status: MutationState) => (FINISHED_MUTATION_STATUSES as readonly MutationState[]).includes(status);

/**
 * Where a plan ends once every mutation has finished: `completed` when at least one was promoted,
 * `failed` when none was (with the tally of how they ended); null while one is still running.
 */
export function planOutcome(
  mutations: readonly PlanMutation[],
): { status: typeof PLAN.completed | typeof PLAN.failed; reason: string; tally: Record<string, number> } | null {
  if (mutations.length === 0 || mutations.some((m) => !isFinished(m.status))) return null;
  const promoted = mutations.filter((m) => m.status === MUTATION.promoted).length;
  const tally: Record<string, number> = {};
  for (const m of mutations) tally[m.status] = (tally[m.status] ?? 0) + 1;
  return {
    status: promoted > 0 ? PLAN.completed : PLAN.failed,
    reason: `${promoted} of ${mutations.length} mutation(s) promoted`,
    tally,
  };
}

/**
 * The plan's findings about agents whose mutations all finished unpromoted (rolled back, retired,
 * failed, refused) go back from planned to open, so a later tick plans them again (without the
 * refused candidate); a promotion resolves its own.
 */
export async function releaseUnfixedFindings(
  tx: Prisma.TransactionClient,
  planId: string,
  mutations: readonly PlanMutation[],
): Promise<void> {
  const byAgent = new Map<string, MutationState[]>();
  for (const m of mutations) byAgent.set(m.agentId, [...(byAgent.get(m.agentId) ?? []), m.status]);
  const unfixed = [...byAgent]
    .filter(([, statuses]) => statuses.every((s) => isFinished(s) && s !== MUTATION.promoted))
    .map(([agentId]) => agentId);
  if (unfixed.length === 0) return;
  const plan = await tx.plan.findUnique({ where: { id: planId }, select: { findingIds: true } });
  if (!plan?.findingIds.length) return;
  await tx.finding.updateMany({
    where: { id: { in: plan.findingIds }, agentId: { in: unfixed }, status: 'planned' },
    data: { status: 'open' },
  });
}
