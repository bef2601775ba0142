import { join } from 'node:path';
import { tableWrites, tableWritesOutside, type OwnedTables } from '@metaloop/testing';

/*
 * libs/registry is the only writer of agents, revisions and candidates (the live config, stable
 * revisions and the rollout that holds an agent included): this fails when production code
 * anywhere else writes one, by Prisma or by raw SQL.
 */
const REGISTRY_TABLES: OwnedTables = {
  models: ['agent', 'revision', 'candidate'],
  relations: ['agents?', 'revisions', 'candidates', 'stableRevision', 'children'],
  tables: ['agents', 'revisions', 'candidates'],
};

describe('the registry is the only writer of agents, revisions and candidates', () => {
  it('finds every kind of write, and nothing that only reads', () => {
    const fixture = [
      `await tx.agent.updateMany({ where: { id }, data: { activeRolloutId: null } });`,
      `await db.revision.create({ data });`,
      `await tx.rollout.create({ data: { agent: { connectOrCreate: row } } });`,
      'await tx.$executeRaw`UPDATE agents SET config_version = 2`;',
      `await tx.agent.findUnique({ where: { id } }); SELECT * FROM revisions; UPDATE rollouts SET weight_bp = 1;`,
    ].join('\n');
    expect(tableWrites('fixture.ts', fixture, REGISTRY_TABLES).map((w) => `${w.line}: ${w.text}`)).toEqual([
      '1: .agent.updateMany(',
      '2: .revision.create(',
      '3: agent: { connectOrCreate:',
      '4: UPDATE agents',
    ]);
  });

  it('finds no write outside libs/registry', () => {
    const writes = tableWritesOutside(join(__dirname, '..'), REGISTRY_TABLES);
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
