import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchSchema, withClient, type ScratchSchema } from '@metaloop/testing';
import { expectedShape, schemaDrift } from './__tests__/schema-parity';
import { migrate } from './migrator';
import { DEFAULT_MIGRATIONS_DIR } from './migrations-dir';

const SCHEMA_PRISMA = join(__dirname, '..', '..', '..', 'prisma', 'schema.prisma');
const datamodel = readFileSync(SCHEMA_PRISMA, 'utf8');

function report(drift: string[]): string {
  return drift.length === 0
    ? 'no drift'
    : `${drift.length} difference(s) between prisma/schema.prisma and prisma/migrations:\n${drift.map((line) => `  - ${line}`).join('\n')}`;
}

/** A scratch schema with every migration applied. */
async function migratedSchema(suite: string, schemas: ScratchSchema[]): Promise<ScratchSchema> {
  const scratch = await scratchSchema(suite);
  schemas.push(scratch);
  await migrate({ databaseUrl: scratch.url, migrationsDir: DEFAULT_MIGRATIONS_DIR });
  return scratch;
}

describe('schema parity: prisma/migrations create exactly what prisma/schema.prisma declares', () => {
  const schemas: ScratchSchema[] = [];

  afterAll(async () => {
    await Promise.all(schemas.map((scratch) => scratch.drop()));
  });

  it('the migrated database matches schema.prisma (tables, columns, types, nullability, defaults, enums, keys, indexes, foreign keys)', async () => {
    const scratch = await migratedSchema('schema_parity', schemas);

    const expected = await expectedShape(datamodel);
    expect(expected.tables.size).toBeGreaterThan(0);
    const drift = await withClient((client) => schemaDrift(client, scratch.schema, datamodel));

    // One message listing every difference, not just the first.
    expect(report(drift)).toBe('no drift');
  });

  it('detects drift: each change made to a migrated schema is reported, and nothing else', async () => {
    const scratch = await migratedSchema('schema_parity_drift', schemas);
    const s = `"${scratch.schema}"`;

    const drift = await withClient(async (client) => {
      await client.query(`
        ALTER TABLE ${s}."findings" ALTER COLUMN "summary" DROP NOT NULL;
        DROP INDEX ${s}."rollouts_status_idx";
        ALTER TABLE ${s}."plans" ALTER COLUMN "risk" TYPE BIGINT;
        ALTER TABLE ${s}."ticks" ALTER COLUMN "stages" SET DEFAULT '{}';
        ALTER TABLE ${s}."candidates" ALTER COLUMN "created_at" DROP DEFAULT;
        ALTER TYPE ${s}."Severity" ADD VALUE 'catastrophic';
        ALTER TABLE ${s}."mutations" DROP CONSTRAINT "mutations_plan_id_fkey",
          ADD CONSTRAINT "mutations_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES ${s}."plans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
        ALTER INDEX ${s}."api_keys_prefix_key" RENAME TO "api_keys_prefix_unique";
        ALTER TABLE ${s}."agents" ADD COLUMN "notes" TEXT;
        CREATE TABLE ${s}."stray" ("id" INTEGER PRIMARY KEY);
      `);
      return schemaDrift(client, scratch.schema, datamodel);
    });

    expect([...drift].sort()).toEqual(
      [
        'findings.summary: nullable in the database, NOT NULL in schema.prisma',
        'rollouts: missing index (status) "rollouts_status_idx"',
        'plans.risk: type bigint in the database, integer in schema.prisma',
        `ticks.stages: DEFAULT '{}'::jsonb in the database, @default("[]") in schema.prisma`,
        'candidates.created_at: no default in the database, @default(now()) in schema.prisma',
        'enum Severity: values (low, medium, high, critical, catastrophic) in the database, (low, medium, high, critical) in schema.prisma',
        'mutations: foreign key (plan_id) REFERENCES plans(id) has ON DELETE RESTRICT ON UPDATE CASCADE in the database, ON DELETE CASCADE ON UPDATE CASCADE in schema.prisma',
        'api_keys: unique (prefix) is named "api_keys_prefix_unique", Prisma would name it "api_keys_prefix_key"',
        'agents.notes: unexpected column (text)',
        'stray: unexpected table',
      ].sort(),
    );
  });
});
