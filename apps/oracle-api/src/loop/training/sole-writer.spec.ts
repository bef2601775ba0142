import { tableWrites, tableWritesOutside, type OwnedTables } from '@metaloop/testing';

/*
 * oracle-api's loop/training is the only writer of datasets and training requests: this fails
 * when production code anywhere else writes one, by Prisma or by raw SQL.
 */
const TRAINING_TABLES: OwnedTables = {
  models: ['dataset', 'trainingRequest'],
  relations: ['dataset', 'datasets?', 'trainingRequests?'],
  tables: ['datasets', 'training_requests'],
};

describe('loop/training is the only writer of datasets and training_requests', () => {
  it('finds every kind of write, and nothing that only reads', () => {
    const fixture = [
      `await tx.dataset.update({ where: { id }, data: { status: 'ready' } });`,
      `await db.trainingRequest.create({ data });`,
      `await tx.candidate.create({ data: { trainingRequests: { create: row } } });`,
      'await tx.$executeRaw`UPDATE training_requests SET status = 1`;',
      `await tx.dataset.findUnique({ where: { id } }); SELECT * FROM datasets; UPDATE candidates SET key = 1;`,
    ].join('\n');
    expect(tableWrites('fixture.ts', fixture, TRAINING_TABLES).map((w) => `${w.line}: ${w.text}`)).toEqual([
      '1: .dataset.update(',
      '2: .trainingRequest.create(',
      '3: trainingRequests: { create:',
      '4: UPDATE training_requests',
    ]);
  });

  it('finds no write outside loop/training', () => {
    const writes = tableWritesOutside(__dirname, TRAINING_TABLES);
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
