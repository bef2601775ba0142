import type { Prisma } from '@metaloop/db';
import type { AuditLog } from '../audit/audit-log.service';

const FINISHED_MUTATIONS = new Set(['promoted', 'rolled_back', 'failed', 'skipped']);

/**
 * Moves a plan out of `queued`/`executing` once every one of its mutations has finished:
 * `completed` when at least one was promoted, `failed` when none was (each rolled back, failed
 * to start, or was refused by the budget or a freeze). Runs in the transaction that finished
 * the last mutation, so exactly one caller settles the plan.
 */
export async function settlePlan(tx: Prisma.TransactionClient, planId: string | null, audit: AuditLog, actor: string): Promise<void> {
  if (!planId) return;
  const mutations = await tx.mutation.findMany({ where: { planId }, select: { status: true } });
  if (mutations.length === 0 || mutations.some((m) => !FINISHED_MUTATIONS.has(m.status))) return;
  const promoted = mutations.filter((m) => m.status === 'promoted').length;
  const status = promoted > 0 ? 'completed' : 'failed';
  const { count } = await tx.plan.updateMany({ where: { id: planId, status: { in: ['queued', 'executing'] } }, data: { status } });
  if (count === 0) return;
  const tally: Record<string, number> = {};
  for (const m of mutations) tally[m.status] = (tally[m.status] ?? 0) + 1;
  await audit.record(
    { actor, action: `plan.${status}`, entityType: 'plan', entityId: planId, reason: `${promoted} of ${mutations.length} mutation(s) promoted`, details: tally },
    tx,
  );
}
