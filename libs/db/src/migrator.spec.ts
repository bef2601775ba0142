import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, scratchSchema, withClient, type ScratchSchema } from '@metaloop/testing';
import { migrate, MIGRATION_LOCK_KEY, MigrationError, type MigrateResult } from './migrator';
import { DEFAULT_MIGRATIONS_DIR } from './migrations-dir';

interface BookkeepingRow {
  id: string;
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

/** The migrations on disk with their sha256, computed here independently of the migrator. */
function onDisk(dir: string): { name: string; checksum: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name,
      checksum: createHash('sha256')
        .update(readFileSync(join(dir, name, 'migration.sql')))
        .digest('hex'),
    }));
}

const realMigrations = onDisk(DEFAULT_MIGRATIONS_DIR);
const realNames = realMigrations.map((m) => m.name);

function addMigration(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'migration.sql'), sql);
}

describe('migrate()', () => {
  const schemas: ScratchSchema[] = [];
  const tempDirs: string[] = [];

  async function freshSchema(): Promise<ScratchSchema> {
    const scratch = await scratchSchema('migrator');
    schemas.push(scratch);
    return scratch;
  }

  /** A writable copy of prisma/migrations under the OS temp dir. */
  function copyOfMigrations(): string {
    const dir = mkdtempSync(join(tmpdir(), 'metaloop-migrations-'));
    tempDirs.push(dir);
    cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    return dir;
  }

  const bookkeeping = (scratch: ScratchSchema) =>
    withClient(async (client) => {
      const { rows } = await client.query<BookkeepingRow>(
        `SELECT id, migration_name, checksum, started_at, finished_at, rolled_back_at, applied_steps_count
           FROM "${scratch.schema}"."_prisma_migrations" ORDER BY started_at, migration_name`,
      );
      return rows;
    });

  const relationExists = (scratch: ScratchSchema, relation: string) =>
    withClient(async (client) => {
      const { rows } = await client.query<{ oid: string | null }>(`SELECT to_regclass($1)::text AS oid`, [
        `"${scratch.schema}"."${relation}"`,
      ]);
      return rows[0].oid !== null;
    });

  const columnExists = (scratch: ScratchSchema, table: string, column: string) =>
    withClient(async (client) => {
      const { rowCount } = await client.query(
        `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3`,
        [scratch.schema, table, column],
      );
      return rowCount === 1;
    });

  afterAll(async () => {
    await Promise.all(schemas.map((scratch) => scratch.drop()));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('applies every migration to an empty schema and records each in _prisma_migrations; a second run applies nothing', async () => {
    expect(realNames.length).toBeGreaterThan(0);
    const scratch = await freshSchema();
    const logged: string[] = [];

    const first = await migrate({
      databaseUrl: scratch.url,
      migrationsDir: DEFAULT_MIGRATIONS_DIR,
      log: (line) => logged.push(line),
    });

    expect(first).toEqual({ schema: scratch.schema, applied: realNames, alreadyApplied: 0 });
    expect(logged).toEqual(realNames.map((name) => `applied migration ${name} to schema ${scratch.schema}`));
    expect(await relationExists(scratch, 'agents')).toBe(true);
    const rows = await bookkeeping(scratch);
    expect(rows.map((row) => row.migration_name)).toEqual(realNames);
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.checksum).toBe(realMigrations[i].checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const second = await migrate({ databaseUrl: scratch.url, migrationsDir: DEFAULT_MIGRATIONS_DIR });

    expect(second).toEqual({ schema: scratch.schema, applied: [], alreadyApplied: realNames.length });
    expect(await bookkeeping(scratch)).toEqual(rows);
  });

  it('two concurrent runs on the same fresh schema both succeed and apply each migration exactly once', async () => {
    const scratch = await freshSchema();
    const options = { databaseUrl: scratch.url, migrationsDir: DEFAULT_MIGRATIONS_DIR };

    // Hold the migrator's advisory lock ourselves until both runs are provably queued behind it,
    // so they contend for real instead of one finishing before the other starts.
    const results = await withClient(async (holder) => {
      await holder.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [MIGRATION_LOCK_KEY, scratch.schema]);
      const settled = Promise.allSettled([migrate(options), migrate(options)]);
      await eventually(
        async () => {
          const { rows } = await holder.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = $1::bigint::oid
              AND objid = ((hashtext($2)::bigint + 4294967296) % 4294967296)::oid`,
            [MIGRATION_LOCK_KEY, scratch.schema],
          );
          if (rows[0].waiting !== 2) throw new Error(`${rows[0].waiting} of 2 migrate() runs waiting for the lock`);
        },
        15_000,
        20,
      );
      await holder.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [MIGRATION_LOCK_KEY, scratch.schema]);
      return settled;
    });

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    const [a, b] = results.map((result) => (result as PromiseFulfilledResult<MigrateResult>).value);
    // Whichever got the lock first applied everything; the other found nothing pending.
    const [winner, loser] = a.applied.length > 0 ? [a, b] : [b, a];
    expect(winner).toEqual({ schema: scratch.schema, applied: realNames, alreadyApplied: 0 });
    expect(loser).toEqual({ schema: scratch.schema, applied: [], alreadyApplied: realNames.length });
    const rows = await bookkeeping(scratch);
    expect(rows.map((row) => row.migration_name)).toEqual(realNames);
  });

  it('refuses a migration whose file changed after it was applied, naming it, and applies nothing', async () => {
    const scratch = await freshSchema();
    const dir = copyOfMigrations();
    await migrate({ databaseUrl: scratch.url, migrationsDir: dir });
    const before = await bookkeeping(scratch);

    const edited = realNames[0];
    appendFileSync(join(dir, edited, 'migration.sql'), '\n-- edited after it was applied\n');
    addMigration(dir, '29990101000000_pending', `CREATE TABLE "pending_table" ("id" INTEGER PRIMARY KEY);`);

    const run = migrate({ databaseUrl: scratch.url, migrationsDir: dir });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(`migration ${edited} was modified after it was applied`);
    expect(await bookkeeping(scratch)).toEqual(before);
    expect(await relationExists(scratch, 'pending_table')).toBe(false);
  });

  it('rolls a failing migration back entirely (no partial tables, no bookkeeping row) and names it; it applies once fixed', async () => {
    const scratch = await freshSchema();
    const dir = copyOfMigrations();
    const broken = '29990101000000_broken';
    addMigration(
      dir,
      broken,
      [
        `CREATE TABLE "partial_table" ("id" INTEGER PRIMARY KEY);`,
        `ALTER TABLE "agents" ADD COLUMN "partial_column" TEXT;`,
        `INSERT INTO "no_such_table" VALUES (1);`,
      ].join('\n'),
    );

    const run = migrate({ databaseUrl: scratch.url, migrationsDir: dir });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(`migration ${broken} failed and was rolled back`);
    await expect(run).rejects.toThrow('no_such_table');

    // The migrations before it are committed; nothing of the broken one is left behind.
    const rows = await bookkeeping(scratch);
    expect(rows.map((row) => row.migration_name)).toEqual(realNames);
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
    expect(await relationExists(scratch, 'partial_table')).toBe(false);
    expect(await columnExists(scratch, 'agents', 'partial_column')).toBe(false);

    writeFileSync(join(dir, broken, 'migration.sql'), `CREATE TABLE "partial_table" ("id" INTEGER PRIMARY KEY);`);
    const retry = await migrate({ databaseUrl: scratch.url, migrationsDir: dir });
    expect(retry.applied).toEqual([broken]);
    expect(await relationExists(scratch, 'partial_table')).toBe(true);
  });

  it('applies migrations added later on the next run, in name order', async () => {
    const scratch = await freshSchema();
    const dir = copyOfMigrations();
    await migrate({ databaseUrl: scratch.url, migrationsDir: dir });

    // Written in reverse; the second depends on the first, so only name order succeeds.
    addMigration(
      dir,
      '29990102000000_label_color',
      `ALTER TABLE "labels" ADD COLUMN "color" TEXT NOT NULL DEFAULT 'grey';`,
    );
    addMigration(dir, '29990101000000_labels', `CREATE TABLE "labels" ("id" INTEGER PRIMARY KEY);`);

    const next = await migrate({ databaseUrl: scratch.url, migrationsDir: dir });

    expect(next).toEqual({
      schema: scratch.schema,
      applied: ['29990101000000_labels', '29990102000000_label_color'],
      alreadyApplied: realNames.length,
    });
    expect(await columnExists(scratch, 'labels', 'color')).toBe(true);
    const rows = await bookkeeping(scratch);
    const expectedNames = [...realNames, '29990101000000_labels', '29990102000000_label_color'];
    expect(rows.map((row) => row.migration_name)).toEqual(expectedNames);
    expect(rows.map((row) => row.checksum)).toEqual(onDisk(dir).map((m) => m.checksum));

    expect((await migrate({ databaseUrl: scratch.url, migrationsDir: dir })).applied).toEqual([]);
  });
});
