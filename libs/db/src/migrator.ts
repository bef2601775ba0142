import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parseDatabaseUrl, poolConfigFor, quoteIdent } from './database-target';

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  databaseUrl: string;
  migrationsDir: string;
  log?: (message: string) => void;
}

export interface MigrateResult {
  schema: string;
  applied: string[];
  alreadyApplied: number;
}

/** Advisory-lock key (Prisma Migrate's own), paired with hashtext(schema). */
export const MIGRATION_LOCK_KEY = 72707369;

// Prisma Migrate's own bookkeeping table, so `prisma migrate status` reads our history.
const BOOKKEEPING_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {}

/** Reads `<dir>/<timestamp>_<name>/migration.sql` in name order, as Prisma lays them out. */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new MigrationError(`migrations folder not found: ${migrationsDir}`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies pending migrations in order, each in its own transaction together with its
 * bookkeeping row. An advisory lock makes concurrent starts (several apps, replicas) safe:
 * the second waits, then finds nothing pending. A migration edited after it was applied is
 * refused by checksum, as Prisma does.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const log = options.log ?? (() => undefined);
  const target = parseDatabaseUrl(options.databaseUrl);
  const files = readMigrations(options.migrationsDir);
  const client = new Client(poolConfigFor(target, { application_name: 'metaloop-migrator' }));
  await client.connect();
  const schema = quoteIdent(target.schema);
  try {
    await client.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [MIGRATION_LOCK_KEY, target.schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(BOOKKEEPING_DDL);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    for (const row of rows) {
      if (!row.finished_at) {
        throw new MigrationError(
          `migration ${row.migration_name} started but never finished; fix the database, then mark it rolled back`,
        );
      }
    }
    const known = new Set(files.map((file) => file.name));
    for (const row of rows) {
      if (!known.has(row.migration_name))
        log(`warning: applied migration ${row.migration_name} is not in ${options.migrationsDir}`);
    }
    const done: string[] = [];
    for (const file of files) {
      const previous = applied.get(file.name);
      if (previous) {
        if (previous.checksum !== file.checksum) {
          throw new MigrationError(
            `migration ${file.name} was modified after it was applied (checksum ${previous.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk); add a new migration instead`,
          );
        }
        continue;
      }
      await applyOne(client, file);
      log(`applied migration ${file.name} to schema ${target.schema}`);
      done.push(file.name);
    }
    return { schema: target.schema, applied: done, alreadyApplied: applied.size };
  } finally {
    await client
      .query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [MIGRATION_LOCK_KEY, target.schema])
      .catch(() => undefined);
    await client.end();
  }
}

async function applyOne(client: Client, file: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(file.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), file.checksum, file.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(`migration ${file.name} failed and was rolled back: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
