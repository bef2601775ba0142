import type { Prisma, PrismaService } from '@metaloop/db';

export type Tx = Prisma.TransactionClient;

/** The caller's transaction when it has one (it writes other tables too), else a new one. */
export function inTransaction<T>(prisma: PrismaService, tx: Tx | undefined, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? work(tx) : prisma.$transaction(work);
}
