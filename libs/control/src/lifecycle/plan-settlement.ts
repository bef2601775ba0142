import type { Prisma } from '@metaloop/db';
import type { AuditLog } from '../audit/audit-log.service';
import { EXECUTING_PLAN_STATUSES, FINISHED_MUTATION_STATUSES, MUTATION, PLAN, type MutationState } from './lifecycle-states';
import { assertTransition } from './transitions';

const isFinished = (status: MutationState) => (FINISHED_MUTATION_STATUSES as readonly MutationState[]).includes(status);

/**
 * Called in the transaction that finished one of a plan's mutations. The findings of every agent
 * whose mutation ended without a promotion (rolled back, retired, failed, refused) go back to
 * `open`, so a later tick plans them again (without the refused candidate); a promotion resolves
 * its own. Once every mutation has finished the plan moves out of `queued`/`executing`:
 * `completed` when at least one was promoted, `failed` when none was. Exactly one caller settles it.
 */
export async function settlePlan(tx: Prisma.TransactionClient, planId: string | null, audit: AuditLog, actor: string): Promise<void> {
  if (!planId) return;
  const mutations = await tx.mutation.findMany({ where: { planId }, select: { status: true, agentId: true } });
  await releaseUnfixedFindings(tx, planId, mutations);
  if (mutations.length === 0 || mutations.some((m) => !isFinished(m.status))) return;
  const promoted = mutations.filter((m) => m.status === MUTATION.promoted).length;
  const status = promoted > 0 ? PLAN.completed : PLAN.failed;
  assertTransition('plan', EXECUTING_PLAN_STATUSES, status);
  const { count } = await tx.plan.updateMany({ where: { id: planId, status: { in: [...EXECUTING_PLAN_STATUSES] } }, data: { status } });
  if (count === 0) return;
  const tally: Record<string, number> = {};
  for (const m of mutations) tally[m.status] = (tally[m.status] ?? 0) + 1;
  await audit.record(
    { actor, action: `plan.${status}`, entityType: 'plan', entityId: planId, reason: `${promoted} of ${mutations.length} mutation(s) promoted`, details: tally },
    tx,
  );
}

/** The plan's findings about agents whose mutations all finished unpromoted: planned → open. */
async function releaseUnfixedFindings(tx: Prisma.TransactionClient, planId: string, mutations: ReadonlyArray<{ status: MutationState; agentId: string }>): Promise<void> {
  const byAgent = new Map<string, MutationState[]>();
  for (const m of mutations) byAgent.set(m.agentId, [...(byAgent.get(m.agentId) ?? []), m.status]);
  const unfixed = [...byAgent].filter(([, statuses]) => statuses.every((s) => isFinished(s) && s !== MUTATION.promoted)).map(([agentId]) => agentId);
  if (unfixed.length === 0) return;
  const plan = await tx.plan.findUnique({ where: { id: planId }, select: { findingIds: true } });
  if (!plan?.findingIds.length) return;
  await tx.finding.updateMany({ where: { id: { in: plan.findingIds }, agentId: { in: unfixed }, status: 'planned' }, data: { status: 'open' } });
}
