import { tableWrites, tableWritesOutside, type OwnedTables } from '@metaloop/testing';

/*
 * oracle-api's insights/reports is the only writer of `insight_reports`: this fails when
 * production code anywhere else writes one, by Prisma or by raw SQL.
 */
const REPORT_TABLES: OwnedTables = {
  models: ['insightReport'],
  relations: ['insightReports'],
  tables: ['insight_reports'],
};

describe('insights/reports is the only writer of insight_reports', () => {
  it('finds the writes, and nothing that only reads', () => {
    const fixture = [
      'await db.insightReport.create({ data });',
      'await tx.$executeRaw`DELETE FROM insight_reports`;',
      'await db.insightReport.findMany({}); SELECT * FROM insight_reports;',
    ].join('\n');
    expect(tableWrites('fixture.ts', fixture, REPORT_TABLES).map((w) => w.line)).toEqual([1, 2]);
  });

  it('finds no write outside apps/oracle-api/src/insights/reports', () => {
    const writes = tableWritesOutside(__dirname, REPORT_TABLES);
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
