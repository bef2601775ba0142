import { tableWrites, tableWritesOutside, type OwnedTables } from '@metaloop/testing';

/*
 * oracle-api's loop/examples is the only writer of `examples` (feedback-api only reads them) and of
 * `example_demotions` (the complaints and corrections it remembers):
 * this fails when production code anywhere else writes one, by Prisma or by raw SQL.
 */
const EXAMPLE_TABLES: OwnedTables = {
  models: ['example', 'exampleDemotion'],
  relations: ['examples'],
  tables: ['examples', 'example_demotions'],
};

describe('loop/examples is the only writer of examples', () => {
  it('finds every kind of write, and nothing that only reads', () => {
    const fixture = [
      `await tx.example.updateMany({ where: { agentId }, data: { demotedAt: now } });`,
      `await db.agent.update({ data: { examples: { create: row } } });`,
      'await tx.$executeRaw`DELETE FROM examples WHERE id = 1`;',
      `await tx.example.findMany({ where: { agentId } }); SELECT * FROM examples;`,
    ].join('\n');
    expect(tableWrites('fixture.ts', fixture, EXAMPLE_TABLES).map((w) => `${w.line}: ${w.text}`)).toEqual([
      '1: .example.updateMany(',
      '2: examples: { create:',
      '3: DELETE FROM examples',
    ]);
  });

  it('finds no write outside apps/oracle-api/src/loop/examples', () => {
    const writes = tableWritesOutside(__dirname, EXAMPLE_TABLES);
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
