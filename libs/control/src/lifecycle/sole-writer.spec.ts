import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/*
 * The lifecycle is the only writer of plans, mutations, rollouts and rollout_decisions: this
 * fails when production code anywhere else in apps/*\/src or libs/*\/src writes one, by Prisma
 * (a write method on the model, or a nested write through a relation) or by raw SQL.
 */

const ROOT = join(__dirname, '..', '..', '..', '..');
const LIFECYCLE = relative(ROOT, __dirname) + sep;

const PRISMA_WRITE =
  /\.\s*(plan|mutation|rollout|rolloutDecision)\s*\.\s*(create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)\s*\(/g;
const NESTED_WRITE =
  /\b(plans?|mutations?|rollouts?|decisions)\s*:\s*\{\s*(create|createMany|connectOrCreate|update|updateMany|upsert|delete|deleteMany|set)\s*:/g;
const SQL_WRITE =
  /\b(insert\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?\{?(?:"?\w+"?\.)?"?(plans|mutations|rollouts|rollout_decisions)"?\}?(?!\w)/gi;

interface Write {
  file: string;
  line: number;
  text: string;
}

/** Every write to the lifecycle's tables in `source`. */
function writesIn(file: string, source: string): Write[] {
  const found: Write[] = [];
  for (const pattern of [PRISMA_WRITE, NESTED_WRITE, SQL_WRITE]) {
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

function sourceRoots(): string[] {
  return ['apps', 'libs'].flatMap((group) =>
    readdirSync(join(ROOT, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(ROOT, group, entry.name, 'src'))
      .filter((src) => existsSync(src)),
  );
}

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
    const files = sourceRoots().flatMap(productionFiles);
    expect(files.length).toBeGreaterThan(100);
    const outside = files.filter((file) => !relative(ROOT, file).startsWith(LIFECYCLE));
    const writes = outside.flatMap((file) => writesIn(relative(ROOT, file), readFileSync(file, 'utf8')));
    expect(writes.map((w) => `${w.file}:${w.line}: ${w.text}`)).toEqual([]);
  });
});
