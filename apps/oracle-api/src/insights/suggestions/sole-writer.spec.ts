import { tableWrites, tableWritesOutside, type OwnedTables } from '@metaloop/testing';

/*
 * insights/suggestions is the only writer of suggestions: this fails when production code
 * anywhere else writes one, by Prisma or by raw SQL.
 */
const SUGGESTION_TABLES: OwnedTables = { models: ['suggestion'], relations: ['suggestions?'], tables: ['suggestions'] };

describe('insights/suggestions is the only writer of suggestions', () => {
  it('finds every kind of write, and nothing that only reads', () => {
    const fixture = [
      `await tx.suggestion.update({ where: { id }, data: { candidateId } });`,
      `await db.suggestion.createMany({ data });`,
      'await tx.$executeRaw`DELETE FROM suggestions WHERE id = 1`;',
      `await tx.suggestion.findMany({ where: { agentId } }); SELECT id FROM suggestions FOR UPDATE;`,
    ].join('\n');
    expect(tableWrites('fixture.ts', fixture, SUGGESTION_TABLES).map((w) => `${w.line}: ${w.text}`)).toEqual([
      '1: .suggestion.update(',
      '2: .suggestion.createMany(',
      '3: DELETE FROM suggestions',
    ]);
  });

  it('finds no write outside insights/suggestions', () => {
    const writes = tableWritesOutside(__dirname, SUGGESTION_TABLES);
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
