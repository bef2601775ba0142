import { productionSources, tableWrites, tableWritesOutside, type OwnedTables } from '@metaloop/testing';

/*
 * The lifecycle is the only writer of plans, mutations, rollouts and rollout_decisions: this
 * fails when production code anywhere else in apps/*\/src or libs/*\/src writes one, by Prisma
 * (a write method on the model, or a nested write through a relation) or by raw SQL.
 */

const LIFECYCLE_TABLES: OwnedTables = {
  models: ['plan', 'mutation', 'rollout', 'rolloutDecision'],
  relations: ['plans?', 'mutations?', 'rollouts?', 'decisions'],
  tables: ['plans', 'mutations', 'rollouts', 'rollout_decisions'],
};
const writesIn = (file: string, source: string) => tableWrites(file, source, LIFECYCLE_TABLES);

describe('the lifecycle is the only writer of plans, mutations, rollouts and rollout_decisions', () => {
  it('finds every kind of write, and nothing that only reads', () => {
    const fixture = [
      `await tx.plan.updateMany({ where: { id }, data: { status: 'queued' } });`,
      `const row = await this.prisma.rollout`,
      `  .update({ where: { id }, data: { weightBp } });`,
      `await db.rolloutDecision.create({ data });`,
      `await prisma.mutation.deleteMany({});`,
      `await tx.agent.update({ where: { id }, data: { rollouts: { create: [row] } } });`,
      'await tx.$executeRaw`UPDATE rollouts SET weight_bp = 0 WHERE id = ${id}`;',
      `await sql('insert into "public"."plans" (id) values ($1)');`,
      `await sql('DELETE FROM rollout_decisions WHERE rollout_id = $1');`,
      // reads, and tables that only sound alike
      `await tx.plan.findUnique({ where: { id } }); await tx.rollout.findMany({ where: { status: { in: ACTIVE } } });`,
      `await tx.mutation.updateMany; rollout.updatedAt; plan.mutations.length;`,
      `await tx.agent.update({ where: { id }, data: { activeRolloutId: null } }); const q = { mutations: { some: { agentId } }, rollouts: { none: {} } };`,
      `UPDATE agents SET config_version = 1; UPDATE plans_archive SET x = 1; SELECT * FROM rollouts;`,
    ].join('\n');
    expect(writesIn('fixture.ts', fixture).map((w) => `${w.line}: ${w.text}`)).toEqual([
      '1: .plan.updateMany(',
      '2: .rollout .update(',
      '4: .rolloutDecision.create(',
      '5: .mutation.deleteMany(',
      '6: rollouts: { create:',
      '7: UPDATE rollouts',
      '8: insert into "public"."plans"',
      '9: DELETE FROM rollout_decisions',
    ]);
  });

  it('finds no write outside libs/control/src/lifecycle', () => {
    expect(productionSources().length).toBeGreaterThan(100);
    const writes = tableWritesOutside(__dirname, LIFECYCLE_TABLES);
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
