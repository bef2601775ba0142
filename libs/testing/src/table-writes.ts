import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { WORKSPACE_ROOT } from './app-process';

/** The tables one module owns, as Prisma names them (models, relation fields) and as SQL does. */
export interface OwnedTables {
  /** Prisma model accessors, e.g. `plan` as in `tx.plan`. */
  models: readonly string[];
  /** Relation fields through which a nested write reaches them, e.g. `rollouts` in `{ rollouts: { create } }`. */
  relations: readonly string[];
  /** SQL table names. */
  tables: readonly string[];
}

export interface TableWrite {
  file: string;
  line: number;
  text: string;
}

const alternatives = (names: readonly string[]) => names.map((name) => name.replace(/[^\w?]/g, '')).join('|');

/** Every write to the owned tables in `source`: Prisma model writes, nested writes, raw SQL. */
export function tableWrites(file: string, source: string, owned: OwnedTables): TableWrite[] {
  const patterns = [
    new RegExp(
      `\\.\\s*(${alternatives(owned.models)})\\s*\\.\\s*(create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)\\s*\\(`,
      'g',
    ),
    new RegExp(
      `\\b(${alternatives(owned.relations)})\\s*:\\s*\\{\\s*(create|createMany|connectOrCreate|update|updateMany|upsert|delete|deleteMany|set)\\s*:`,
      'g',
    ),
    new RegExp(
      `\\b(insert\\s+into|update|delete\\s+from|truncate(?:\\s+table)?)\\s+(?:only\\s+)?\\{?(?:"?\\w+"?\\.)?"?(${alternatives(owned.tables)})"?\\}?(?!\\w)`,
      'gi',
    ),
  ];
  const found: TableWrite[] = [];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      found.push({ file, line: source.slice(0, match.index).split('\n').length, text: match[0].replace(/\s+/g, ' ') });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'generated', '__tests__', 'e2e', 'test', 'tests']);
const isProductionSource = (name: string) =>
  /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !/\.(spec|test|e2e)\.[cm]?[jt]s$/.test(name) && !name.endsWith('.d.ts');

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : productionFiles(path);
    return entry.isFile() && isProductionSource(entry.name) ? [path] : [];
  });
}

/** Production sources of every app and lib (`apps/*\/src`, `libs/*\/src`), specs and test harnesses left out. */
export function productionSources(): string[] {
  return ['apps', 'libs']
    .flatMap((group) =>
      readdirSync(join(WORKSPACE_ROOT, group), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(WORKSPACE_ROOT, group, entry.name, 'src'))
        .filter((src) => existsSync(src)),
    )
    .flatMap(productionFiles);
}

/** Writes to the owned tables in production code outside `ownerDir` (absolute): what an owner test expects to be empty. */
export function tableWritesOutside(ownerDir: string, owned: OwnedTables): TableWrite[] {
  const owner = relative(WORKSPACE_ROOT, ownerDir) + sep;
  return productionSources()
    .map((file) => relative(WORKSPACE_ROOT, file))
    .filter((file) => !file.startsWith(owner))
    .flatMap((file) => tableWrites(file, readFileSync(join(WORKSPACE_ROOT, file), 'utf8'), owned));
}
